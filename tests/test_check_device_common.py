"""Helpers for the device-package check tests (no tests here): render the real device package with overrides."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from remediate.lint import lint_bytes
from remediate.packages import parse_package
from remediate.render import RenderedPackage, render_package

ROOT = Path(__file__).resolve().parent.parent
DEVICE_TOML = ROOT / "packaging" / "caa20002-device.toml"


def render_device(tmp_path: Path, check_id: str, **options) -> RenderedPackage:
    """The device package rendered from a tmp copy of its TOML, with ``options`` for ``check_id``."""
    path = tmp_path / DEVICE_TOML.name
    shutil.copyfile(DEVICE_TOML, path)
    if f"[checks.{check_id}]" not in path.read_text():
        path.write_text(path.read_text() + f"\n[checks.{check_id}]\n")
    return render_package(parse_package(path, overrides={check_id: options} if options else None))


def function_text(script: bytes, name: str) -> str:
    """The source of one function of a rendered script, up to the next top-level function."""
    text = script.decode("ascii")
    match = re.search(rf"^function {re.escape(name)} \{{\r\n.*?^\}}\r\n", text, re.S | re.M)
    assert match, f"{name} not in the script"
    return match.group(0)


def assert_lints_clean(rendered: RenderedPackage) -> None:
    for name, data in (("detect.ps1", rendered.detect), ("remediate.ps1", rendered.remediate)):
        assert lint_bytes(data, name) == [], name


def code_only(text: str) -> str:
    """The text without comments (a comment or the help block may name what the code must never do)."""
    text = re.sub(r"<#.*?#>", "", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
