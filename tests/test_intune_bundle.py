"""The Intune bundle: payload fields per DOMAIN.md section 5, delivery rules, deterministic output."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from remediate.errors import ConfigError
from remediate.intune.bundle import ScriptMeta, make_bundle, write_bundle
from remediate.intune.schedule import Schedule

DETECT = b"$ErrorActionPreference = 'Stop'\r\nWrite-Output '{}'\r\nexit 0\r\n"
REMEDIATE = b"$ErrorActionPreference = 'Stop'\r\nWrite-Output '{}'\r\nexit 0\r\n# fix\r\n"


@pytest.fixture
def meta() -> ScriptMeta:
    return ScriptMeta(package_id="caa20002-device", display_name="CAA20002 device", description="Device part",
                      publisher="IT", run_as="system", enforce_signature_check=False,
                      schedule=Schedule("daily", time="09:00"))


def test_payload_fields_match_the_graph_contract(meta):
    payload = make_bundle(meta, DETECT, REMEDIATE).payload()
    assert payload == {
        "displayName": "CAA20002 device", "description": "Device part", "publisher": "IT",
        "runAsAccount": "system", "runAs32Bit": False, "enforceSignatureCheck": False,
        "detectionScriptContent": base64.b64encode(DETECT).decode(),
        "remediationScriptContent": base64.b64encode(REMEDIATE).decode(),
        "roleScopeTagIds": ["0"], "isGlobalScript": False,
    }


def test_from_package_reads_the_package_fields():
    pkg = SimpleNamespace(id="caa20002-user", display_name="U", description="D", publisher="P",
                          run_as=SimpleNamespace(value="user"), enforce_signature_check=False,
                          schedule={"kind": "hourly", "interval": 4, "time": "09:00", "date": "", "use_utc": False})
    meta = ScriptMeta.from_package(pkg)
    assert (meta.run_as, meta.schedule) == ("user", Schedule("hourly", interval=4))


def test_output_is_byte_identical_across_runs(meta, tmp_path):
    first = write_bundle(make_bundle(meta, DETECT, REMEDIATE), tmp_path / "a")
    second = write_bundle(make_bundle(meta, DETECT, REMEDIATE), tmp_path / "b")
    again = write_bundle(make_bundle(meta, DETECT, REMEDIATE), tmp_path / "a")
    names = sorted(first.status)
    assert names == sorted(second.status)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert set(first.status.values()) == {"create"}
    assert set(again.status.values()) == {"identical"}


def test_scripts_are_written_as_the_exact_bytes(meta, tmp_path):
    report = write_bundle(make_bundle(meta, DETECT, REMEDIATE), tmp_path)
    assert (report.folder / "detect.ps1").read_bytes() == DETECT
    payload = json.loads((report.folder / "deviceHealthScript.json").read_bytes())
    assert base64.b64decode(payload["remediationScriptContent"]) == REMEDIATE


def test_zip_is_sorted_with_fixed_time_and_mode(meta, tmp_path):
    report = write_bundle(make_bundle(meta, DETECT, REMEDIATE), tmp_path)
    with zipfile.ZipFile(io.BytesIO(report.zip_path.read_bytes())) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        assert archive.read("caa20002-device/detect.ps1") == DETECT


def test_readme_is_ascii_crlf_and_names_the_portal_settings(meta, tmp_path):
    report = write_bundle(make_bundle(meta, DETECT, REMEDIATE), tmp_path)
    readme = (report.folder / "README.md").read_bytes()
    readme.decode("ascii")
    assert b"\n" not in readme.replace(b"\r\n", b"")
    assert b"| Run this script using the logged-on credentials | No |" in readme
    assert b"| Run script in 64-bit PowerShell | Yes |" in readme
    assert hashlib.sha256(DETECT).hexdigest().encode() in readme


def test_a_changed_script_is_reported_changed(meta, tmp_path):
    write_bundle(make_bundle(meta, DETECT, REMEDIATE), tmp_path)
    report = write_bundle(make_bundle(meta, DETECT + b"# x\r\n", REMEDIATE), tmp_path)
    assert report.status["intune/caa20002-device/detect.ps1"] == "changed"
    assert report.status["intune/caa20002-device/remediate.ps1"] == "identical"
    assert not list(report.folder.glob(".*.tmp"))


@pytest.mark.parametrize("data, message", [
    (b"\xef\xbb\xbfexit 0\r\n", "BOM"),
    ("Write-Output 'caf\u00e9'\r\n".encode(), "non-ASCII"),
    (b"#" * 200_001, "exceeds the portal limit"),
], ids=["bom", "non-ascii", "too-large"])
def test_delivery_rules_are_enforced(meta, data, message):
    with pytest.raises(ConfigError, match=message):
        make_bundle(meta, data, REMEDIATE)


def test_enforced_signature_check_needs_signing(meta):
    enforced = ScriptMeta(**{**meta.__dict__, "enforce_signature_check": True})
    with pytest.raises(ConfigError, match="--sign"):
        make_bundle(enforced, DETECT, REMEDIATE)


def test_signing_sets_enforce_and_bundles_the_signed_bytes(meta):
    bundle = make_bundle(meta, DETECT, REMEDIATE, sign=lambda data, name: data + b"# SIG\r\n")
    payload = bundle.payload()
    assert payload["enforceSignatureCheck"] is True
    assert base64.b64decode(payload["detectionScriptContent"]) == DETECT + b"# SIG\r\n"


def test_committed_packages_bundle_if_present(tmp_path):
    root = Path(__file__).resolve().parents[1]
    folders = sorted(p for p in (root / "detection_scripts").glob("*") if (p / "detect.ps1").is_file())
    if not folders:
        pytest.skip("no committed detection_scripts/<package>/ yet")
    for folder in folders:
        meta = ScriptMeta(package_id=folder.name, display_name=folder.name, description="d", publisher="p",
                          run_as="system", enforce_signature_check=False)
        bundle = make_bundle(meta, (folder / "detect.ps1").read_bytes(), (folder / "remediate.ps1").read_bytes())
        write_bundle(bundle, tmp_path)
