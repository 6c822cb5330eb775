"""Helpers for the per-check tests (no tests here, hence no test_ prefix): render a shipped package from a tmp
copy with options for one check, and pick out the code a check generates."""

from __future__ import annotations

import re
from pathlib import Path

from remediate.lint import lint_bytes
from remediate.packages import Package, parse_package
from remediate.render import RenderedPackage, render_package

ROOT = Path(__file__).resolve().parent.parent
DEVICE_TOML = ROOT / "remediate" / "packaging" / "caa20002-device.toml"
USER_TOML = ROOT / "remediate" / "packaging" / "caa20002-user.toml"



def parse_with(tmp_path: Path, package_file: Path, check_id: str, **options) -> Package:
    """A tmp copy of ``package_file`` that certainly holds ``check_id``'s table, parsed with ``options`` for it."""
    text = package_file.read_text(encoding="utf-8")
    if f"[checks.{check_id}]" not in text:
        text += f"\n[checks.{check_id}]\n"
    path = tmp_path / package_file.name
    path.write_text(text, encoding="utf-8")
    return parse_package(path, {check_id: options} if options else None)


def render_with(tmp_path: Path, package_file: Path, check_id: str, **options) -> RenderedPackage:
    """The scripts of :func:`parse_with`'s package."""
    return render_package(parse_with(tmp_path, package_file, check_id, **options))


def parse_device(tmp_path: Path, check_id: str, **options) -> Package:
    return parse_with(tmp_path, DEVICE_TOML, check_id, **options)


def render_device(tmp_path: Path, check_id: str, **options) -> RenderedPackage:
    return render_with(tmp_path, DEVICE_TOML, check_id, **options)


def parse_user(tmp_path: Path, check_id: str, **options) -> Package:
    return parse_with(tmp_path, USER_TOML, check_id, **options)


def render_user(tmp_path: Path, check_id: str, **options) -> RenderedPackage:
    return render_with(tmp_path, USER_TOML, check_id, **options)


def render_with_table(tmp_path: Path, package_file: Path, check_id: str, table: str) -> RenderedPackage:
    """A tmp copy of ``package_file``, ``check_id``'s table (up to the next ``[``) replaced by ``table``, rendered."""
    text, count = re.subn(rf"\[checks\.{re.escape(check_id)}\][^\[]*", table, package_file.read_text(encoding="utf-8"))
    assert count == 1, f"[checks.{check_id}] not in {package_file.name}"
    path = tmp_path / package_file.name
    path.write_text(text, encoding="utf-8")
    return render_package(parse_package(path))


def _function_match(script: bytes, name: str) -> re.Match[str]:
    text = script.decode("ascii")
    match = re.search(rf"^function {re.escape(name)} \{{\r\n(.*?)^\}}\r\n", text, re.S | re.M)
    assert match, f"{name} not in the script"
    return match


def function_text(script: bytes, name: str) -> str:
    """The source of one function of a rendered script, up to the next top-level function."""
    return _function_match(script, name).group(0)


def fragment_body(script: bytes, name: str) -> str:
    """The check's fragment inside one generated function: its body after the param block and the
    ``$Options = ...`` / ``$Desired = ...`` lines the renderer declares when the fragment reads them."""
    body = _function_match(script, name).group(1).split("\r\n    )\r\n", 1)[1]
    return re.sub(r"\A(    \$(Options|Desired) = \$Check\.\2\r\n)*", "", body)


def descriptor(script: bytes, check_id: str) -> str:
    """The rendered descriptor of one check: from its 'Id' line to the next check's (or the list end)."""
    text = script.decode("ascii")
    start = text.index(f"'Id' = '{check_id}'")
    end = text.find("'Id' = '", start + 1)
    return text[start:end if end != -1 else len(text)]


def assert_lints_clean(rendered: RenderedPackage) -> None:
    for name, data in (("detect.ps1", rendered.detect), ("remediate.ps1", rendered.remediate)):
        assert lint_bytes(data, name) == [], name


def code_only(text: str) -> str:
    """The text without comments (a comment or the help block may name what the code must never do)."""
    text = re.sub(r"<#.*?#>", "", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
