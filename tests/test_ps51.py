"""Tests for the shipped Windows PowerShell 5.1 / .NET Framework 4.7.2 table (remediate.ps51) and its derivation.

Rule behaviour (PS016-PS023) is in tests/test_lint.py's CASES; here: the table's size and content, PowerShell's
name rules (parameter prefixes, type accelerators, the implicit System. prefix) and the derivation helpers.
"""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

import pytest

from remediate import ps51

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def table() -> ps51.Table:
    return ps51.table()


def test_shipped_table_is_small_and_has_its_notice() -> None:
    data = resources.files("remediate").joinpath("data")
    assert len(data.joinpath("ps51.json.gz").read_bytes()) < 300_000
    notice = data.joinpath("PS51-NOTICE.md").read_text(encoding="utf-8")
    assert "MIT License" in notice and "desktop-5.1.14393.206-windows.json" in notice


@pytest.mark.parametrize(("command", "given", "expected"), [
    pytest.param("Get-ChildItem", "LiteralPath", ("literalpath", []), id="exact"),
    pytest.param("Get-ChildItem", "lit", ("literalpath", []), id="unique-prefix"),
    pytest.param("Get-ChildItem", "fi", (None, ["file", "filter"]), id="ambiguous-prefix"),
    pytest.param("Get-ChildItem", "ea", ("erroraction", []), id="common-alias"),
    pytest.param("Get-ChildItem", "ProgressAction", (None, []), id="7.4-common-parameter"),
    pytest.param("Remove-Item", "wi", ("whatif", []), id="whatif-alias"),
    pytest.param("Get-ChildItem", "wi", (None, []), id="no-whatif-without-shouldprocess"),
    pytest.param("Join-Path", "AdditionalChildPath", (None, []), id="7-only-parameter"),
])
def test_parameter_binding_by_name(table: ps51.Table, command: str, given: str, expected) -> None:
    spec = table.command(command)
    assert spec is not None and spec.resolve(given) == expected


def test_commands_missing_from_51(table: ps51.Table) -> None:
    assert table.command("Get-Uptime") is None and table.command("Test-Json") is None
    assert table.command("get-ciminstance") is not None


@pytest.mark.parametrize(("spelling", "key"), [
    pytest.param("int", "system.int32", id="accelerator"),
    pytest.param("IO.File", "system.io.file", id="implicit-system"),
    pytest.param("string[]", "system.string", id="array"),
    pytest.param("System.Collections.Generic.List[string]", "system.collections.generic.list`1", id="generic"),
    pytest.param("System.Collections.Generic.Dictionary[string, System.Collections.Generic.List[int]]",
                 "system.collections.generic.dictionary`2", id="nested-generic"),
    pytest.param("System.Environment+SpecialFolder", "system.environment+specialfolder", id="nested-type"),
    pytest.param("adsi", "system.directoryservices.directoryentry", id="windows-only-accelerator"),
])
def test_type_resolution(table: ps51.Table, spelling: str, key: str) -> None:
    assert table.resolve_type(spelling) == ps51.TypeName(key, ())


@pytest.mark.parametrize("spelling", ["semver", "uint", "ordered", "System.Text.Json.JsonDocument",
                                      "System.Span[byte]"])
def test_types_missing_from_51(table: ps51.Table, spelling: str) -> None:
    assert table.resolve_type(spelling).key is None


def test_using_namespace_resolves(table: ps51.Table) -> None:
    assert table.resolve_type("StringBuilder", ("System.Text",)).key == "system.text.stringbuilder"


def test_statics_walk_the_base_chain(table: ps51.Table) -> None:
    assert table.has_static("system.net.http.httpclient", "Equals") is True  # System.Object.Equals(a, b)
    assert table.has_static("system.io.path", "GetRelativePath") is False  # .NET Core 2.0+
    assert table.has_static("system.net.securityprotocoltype", "tls13") is False  # .NET Framework 4.8+


def test_constructor_arities(table: ps51.Table) -> None:
    info = table.type_info("system.datetime")
    assert info is not None and info.value_type and (0, 0) in info.ctors
    params = table.type_info("system.management.automation.psobject")
    assert params is not None and params.assembly == "System.Management.Automation"


def _derive_module():
    spec = importlib.util.spec_from_file_location("derive_ps51", ROOT / "tools" / "derive_ps51.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("syntax", "expected"), [
    pytest.param("[[-Path] <string[]>] [-Recurse] -Name <string> [<CommonParameters>]",
                 {"path": True, "recurse": False, "name": True}, id="positional-switch-named"),
    pytest.param("[-Attributes <FlagsExpression[FileAttributes]>] [-File]", {"attributes": True, "file": False},
                 id="bracketed-type"),
])
def test_derive_parses_syntax_strings(syntax: str, expected: dict[str, bool]) -> None:
    pytest.importorskip("dnfile")
    assert _derive_module()._parameters(syntax) == expected


@pytest.mark.parametrize(("blob", "value"), [(b"\x03", 3), (b"\x80\x80", 0x80), (b"\xc0\x00\x40\x00", 0x4000)])
def test_derive_reads_compressed_integers(blob: bytes, value: int) -> None:
    pytest.importorskip("dnfile")
    assert _derive_module()._uint(blob, 0)[0] == value
