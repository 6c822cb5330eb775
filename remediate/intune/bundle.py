"""The Intune bundle of one package: ``dist/intune/<package>/`` plus ``dist/intune/<package>.zip``.

The folder holds the two scripts exactly as they will run, ``deviceHealthScript.json`` (the body of
``POST /beta/deviceManagement/deviceHealthScripts``, contents = base64 of those exact bytes) and a README
with the portal settings. Inputs are script bytes, so the source (the renderer or committed files) does not
matter. Output is deterministic: same inputs, byte-identical files and zip.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remediate.errors import ConfigError
from remediate.fsutil import deterministic_zip, write_atomic
from remediate.intune.schedule import Schedule, schedule_from_package
from remediate.limits import check_script

PAYLOAD_NAME = "deviceHealthScript.json"
DETECT_NAME = "detect.ps1"
REMEDIATE_NAME = "remediate.ps1"
README_NAME = "README.md"
DEFAULT_SCOPE_TAG = "0"  # Intune's built-in "Default" scope tag

Sign = Callable[[bytes, str], bytes]


@dataclass(frozen=True)
class ScriptMeta:
    """What Intune needs to know about a package besides its two scripts."""

    package_id: str
    display_name: str
    description: str
    publisher: str
    run_as: str  # "system" | "user" (Graph runAsAccount)
    enforce_signature_check: bool
    schedule: Schedule = field(default_factory=lambda: Schedule("daily", time="09:00"))
    scope_tags: tuple[str, ...] = ()  # [intune] scope_tags as declared (names or ids); () = not declared
    source: str = ""  # the package file, named in errors about its keys

    @property
    def default_scope_tag_ids(self) -> list[str]:
        """The ids the bundle's payload carries before Graph is read: the declared tags when all are numeric ids,
        else Default ("0"); ``remediate publish`` resolves names and sends the real ids."""
        if self.scope_tags and all(tag.isdigit() for tag in self.scope_tags):
            return list(self.scope_tags)
        return [DEFAULT_SCOPE_TAG]

    @classmethod
    def from_package(cls, package: Any) -> ScriptMeta:
        """From a ``remediate.packages.Package`` (duck-typed so this module does not import the catalog)."""
        run_as = getattr(package.run_as, "value", package.run_as)
        return cls(package_id=package.id, display_name=package.display_name, description=package.description,
                   publisher=package.publisher, run_as=str(run_as),
                   enforce_signature_check=bool(package.enforce_signature_check),
                   schedule=schedule_from_package(package.schedule),
                   scope_tags=tuple(getattr(package, "scope_tags", ())),
                   source=str(getattr(package, "source_name", "")))


@dataclass(frozen=True)
class Bundle:
    meta: ScriptMeta
    detect: bytes
    remediate: bytes
    signed: bool = False

    def payload(self) -> dict[str, Any]:
        return build_payload(self.meta, self.detect, self.remediate, signed=self.signed)

    def files(self) -> dict[str, bytes]:
        """Folder content: file name -> bytes."""
        payload = json.dumps(self.payload(), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
        return {
            DETECT_NAME: self.detect,
            REMEDIATE_NAME: self.remediate,
            PAYLOAD_NAME: payload.encode("ascii"),
            README_NAME: render_readme(self),
        }


@dataclass(frozen=True)
class BundleReport:
    package_id: str
    folder: Path
    zip_path: Path
    status: Mapping[str, str]  # path relative to the out dir -> create | identical | changed
    signed: bool


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def build_payload(meta: ScriptMeta, detect: bytes, remediate: bytes, *, signed: bool) -> dict[str, Any]:
    """The deviceHealthScript body. runAs32Bit is always explicit: Graph defaults differ from the portal."""
    return {
        "displayName": meta.display_name,
        "description": meta.description,
        "publisher": meta.publisher,
        "runAsAccount": meta.run_as,
        "runAs32Bit": False,
        "enforceSignatureCheck": bool(signed or meta.enforce_signature_check),
        "detectionScriptContent": b64(detect),
        "remediationScriptContent": b64(remediate),
        "roleScopeTagIds": meta.default_scope_tag_ids,
        "isGlobalScript": False,
    }


def make_bundle(meta: ScriptMeta, detect: bytes, remediate: bytes, sign: Sign | None = None) -> Bundle:
    """Check the scripts, sign them when ``sign`` is given (the signed bytes are final), and bundle them."""
    check_script(detect, f"{meta.package_id}/{DETECT_NAME}")
    check_script(remediate, f"{meta.package_id}/{REMEDIATE_NAME}")
    if sign is not None:
        detect = sign(detect, DETECT_NAME)
        remediate = sign(remediate, REMEDIATE_NAME)
    elif meta.enforce_signature_check:
        raise ConfigError("enforce_signature_check is true but the scripts are not signed: use --sign",
                          file=meta.package_id)
    return Bundle(meta=meta, detect=detect, remediate=remediate, signed=sign is not None)


def write_bundle(bundle: Bundle, out_dir: Path) -> BundleReport:
    """Write ``<out>/intune/<id>/`` and ``<out>/intune/<id>.zip`` atomically; report per file."""
    pkg = bundle.meta.package_id
    root = out_dir / "intune"
    folder = root / pkg
    files = bundle.files()
    status: dict[str, str] = {}
    for name in sorted(files):
        status[f"intune/{pkg}/{name}"] = write_atomic(folder / name, files[name])
    zip_path = root / f"{pkg}.zip"
    status[f"intune/{pkg}.zip"] = write_atomic(zip_path, deterministic_zip(
        {f"{pkg}/{name}": data for name, data in files.items()}))
    return BundleReport(package_id=pkg, folder=folder, zip_path=zip_path, status=status, signed=bundle.signed)


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def render_readme(bundle: Bundle) -> bytes:
    """Portal settings for an admin who uploads by hand. ASCII, CRLF (read on Windows), deterministic."""
    meta, payload = bundle.meta, bundle.payload()
    rows = [
        ("Name", meta.display_name),
        ("Description", meta.description),
        ("Publisher", meta.publisher),
        ("Detection script file", DETECT_NAME),
        ("Remediation script file", REMEDIATE_NAME),
        ("Run this script using the logged-on credentials", _yes_no(meta.run_as == "user")),
        ("Enforce script signature check", _yes_no(payload["enforceSignatureCheck"])),
        ("Run script in 64-bit PowerShell", "Yes"),
        ("Scope tags", ", ".join(meta.scope_tags) if meta.scope_tags else "Default"),
        ("Schedule (set on each assignment)", meta.schedule.describe()),
    ]
    lines = [f"# {meta.display_name}: Intune Remediation package", "",
             f"Package `{meta.package_id}`, generated by remediate. In the Intune admin center: Devices >",
             "Scripts and remediations > Remediations > Create, then use these settings.", "",
             "| Portal setting | Value |", "|---|---|"]
    lines += [f"| {key} | {value.replace('|', '/')} |" for key, value in rows]
    lines += ["", "## Files", "", "| file | bytes | sha256 |", "|---|---|---|"]
    for name, data in ((DETECT_NAME, bundle.detect), (REMEDIATE_NAME, bundle.remediate)):
        lines.append(f"| {name} | {len(data)} | {hashlib.sha256(data).hexdigest()} |")
    lines += ["", "## Graph", "",
              f"`{PAYLOAD_NAME}` is the body of `POST /beta/deviceManagement/deviceHealthScripts`.",
              f"`remediate publish --package {meta.package_id}` creates or updates it and assigns it.", ""]
    text = "\r\n".join(lines)
    return text.encode("ascii", errors="replace")
