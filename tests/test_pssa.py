"""PSScriptAnalyzer in the loop: every script we deliver is clean under PSScriptAnalyzerSettings.psd1, our own
rules that overlap with its rules catch more than they do, and `remediate lint` shows its findings.

The analyzer is slow (10-60 s per PowerShell start, most of it loading the 5.1 compatibility profiles), so one
session fixture writes every rendered script, the runtime sources and the overlap samples to one folder and
analyses it once.
"""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from remediate import generate, lint, pssa, render, rmm
from remediate.cli import cli
from remediate.launcher import wrap_for_interactive_user
from remediate.packages import load_packages
from remediate.results import Phase

ROOT = Path(__file__).resolve().parent.parent
HEAD = "$ErrorActionPreference = 'Stop'\r\nSet-StrictMode -Version 2.0\r\n"

# Our rule, the PSScriptAnalyzer rule nearest to it, and a line ours flags that the analyzer lets through
# (pwsh 7 is the analyzer's host: it knows neither 5.1's aliases nor which 7-only commands 5.1 lacks).
OVERLAP = {
    "null_conditional_index": ("PS006", "PSUseCompatibleSyntax", "$e = ${a}?[0]\r\nWrite-Output -InputObject $e"),
    "alias_removed_in_7": ("PS008", "PSAvoidUsingCmdletAliases", "sc -Path 'x.txt' -Value 'y' -Encoding ASCII"),
    "stderr_writer": ("PS007", "PSAvoidUsingWriteHost", "Write-Error -Message 'x'"),
    "prompt": ("PS007", "PSAvoidUsingWriteHost", "$a = Read-Host -Prompt 'x'"),
    "command_only_in_7": ("PS016", "PSUseCompatibleCmdlets", "Get-Error -Newest 1"),
    "parameter_only_in_7": ("PS017", "PSUseCompatibleCmdlets",
                            "$a = @(1) | ForEach-Object -Parallel { $_ } -ThrottleLimit 2"),
    "never_assigned": ("PS015", "PSUseDeclaredVarsMoreThanAssignments", "Write-Output -InputObject $neverSet"),
}
OVERLAP_LINE = 4  # the sample's line: HEAD, `$a = $null`, then the line


def _overlap_sample(line: str) -> bytes:
    return (HEAD + "$a = $null\r\n" + line + "\r\nexit 0\r\n").encode("ascii")


def delivered_scripts() -> dict[str, bytes]:
    """Every script we deliver, by a file name: each package's detect/remediate/undo/collect, its script in every RMM
    profile, its cycle script and its state-reset script, and the interactive-user launcher around a user
    package's remediation."""
    scripts: dict[str, bytes] = {}
    for package in load_packages(ROOT / "remediate" / "packaging"):
        rendered = render.render_package(package)
        scripts[f"{package.id}/detect.ps1"] = rendered.detect
        scripts[f"{package.id}/remediate.ps1"] = rendered.remediate
        scripts[f"{package.id}/undo.ps1"] = rendered.undo
        scripts[f"{package.id}/collect.ps1"] = rendered.collect
        scripts[f"{package.id}/undo-dry-run.ps1"] = render.render_maintenance_script(package, Phase.UNDO,
                                                                                    dry_run=True)
        scripts[f"{package.id}/cycle.ps1"] = render.render_script(package, Phase.REMEDIATE, cycle=True)
        scripts[f"{package.id}/reset.ps1"] = render.render_reset_script(package).encode("ascii")
        for profile in rmm.PROFILES:
            scripts[f"{package.id}/rmm-{profile}.ps1"] = render.render_rmm_script(package, profile)
        if package.run_as.value == "user":
            launcher = wrap_for_interactive_user(rendered.remediate.decode("ascii"), package=package.id,
                                                 phase=Phase.REMEDIATE, timeout_s=120)
            scripts[f"{package.id}/launcher.ps1"] = launcher.encode("ascii")
    return scripts


def _source_files() -> list[Path]:
    return sorted([*(ROOT / "remediate" / "powershell").rglob("*.ps1"), *(ROOT / "remediate" / "data").glob("*.ps1")])


@pytest.fixture(scope="session")
def analyzed(tmp_path_factory):
    """(folder, scripts, findings by path relative to the folder) from one PSScriptAnalyzer run."""
    from simwin.engine import find_pwsh, require_pwsh
    if find_pwsh() is None:  # a session fixture runs before conftest's per-test gate: the same gate, here
        (pytest.fail if require_pwsh() else pytest.skip)("no PowerShell: set REMEDIATE_PWSH or put pwsh on PATH")
    folder = tmp_path_factory.mktemp("pssa")
    scripts = delivered_scripts()
    for name, data in scripts.items():
        (folder / "delivered" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "delivered" / name).write_bytes(data)
    for source in _source_files():
        target = folder / "sources" / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (folder / "overlap").mkdir()
    for case, (_, _, line) in OVERLAP.items():
        (folder / "overlap" / f"{case}.ps1").write_bytes(_overlap_sample(line))
    analysis = pssa.analyze([folder])
    assert not analysis.skipped, analysis.skipped
    found: dict[str, list[pssa.Finding]] = {}
    for finding in analysis.findings:
        found.setdefault(Path(finding.path).resolve().relative_to(folder.resolve()).as_posix(), []).append(finding)
    return folder, scripts, found


def _report(found: dict[str, list[pssa.Finding]], prefix: str,
            severities: tuple[str, ...] = ("Error", "Warning", "ParseError")) -> list[str]:
    return [f"{path}:{f.line}: {f.rule} [{f.severity}] {f.message}"
            for path, items in sorted(found.items()) if path.startswith(prefix)
            for f in items if f.severity in severities]


@pytest.mark.pwsh
def test_every_delivered_script_is_clean_under_the_settings(analyzed):
    _, scripts, found = analyzed
    assert len(scripts) >= 2 * (4 + len(rmm.PROFILES)) + 1
    assert _report(found, "delivered/") == []


@pytest.mark.pwsh
def test_delivered_scripts_have_no_information_findings_either(analyzed):
    """Information does not fail a lint, but docs/linting.md says none is left: keep it true."""
    _, _, found = analyzed
    assert _report(found, "delivered/", ("Information",)) == []


@pytest.mark.pwsh
def test_runtime_sources_are_clean_under_the_settings(analyzed):
    _, _, found = analyzed
    assert _report(found, "sources/") == []


@pytest.mark.pwsh
@pytest.mark.parametrize("case", sorted(OVERLAP))
def test_our_overlapping_rule_catches_what_the_analyzer_lets_through(analyzed, case):
    _, _, found = analyzed
    ours, theirs, line = OVERLAP[case]
    issues = lint.lint_bytes(_overlap_sample(line), case)
    assert ours in {i.rule for i in issues if i.line == OVERLAP_LINE}
    flagged = {f.rule for f in found.get(f"overlap/{case}.ps1", []) if f.line == OVERLAP_LINE
               and f.severity in ("Error", "Warning")}
    assert not flagged, f"{theirs} or another rule flagged line {OVERLAP_LINE}: {flagged}"


@pytest.mark.pwsh
def test_the_analyzer_sees_what_our_rule_sees_where_they_agree(tmp_path):
    """The other half of the comparison, and `remediate lint` end to end: a ternary is flagged by both PS006
    and PSUseCompatibleSyntax, a plural noun by PSScriptAnalyzer only, each in our format with its code."""
    script = _both_script(tmp_path)
    result = CliRunner().invoke(cli, ["lint", str(script)])
    assert result.exit_code == 1
    rules = {m.group(2): int(m.group(1)) for m in re.finditer(rf"^{re.escape(str(script))}:(\d+):\d+: (\S+) ",
                                                               result.stdout, re.M)}
    assert rules == {"PSUseSingularNouns": 3, "PS006": 6, "PSUseCompatibleSyntax": 6}
    assert "(PSScriptAnalyzer warning)" in result.stdout and "(PSScriptAnalyzer error)" in result.stdout


def test_lint_without_powershell_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("REMEDIATE_PWSH", str(tmp_path / "no-such-pwsh"))
    script = tmp_path / "ok.ps1"
    script.write_bytes((HEAD + "exit 0\r\n").encode("ascii"))
    result = CliRunner().invoke(cli, ["lint", str(script)])
    assert (result.exit_code, result.stdout) == (0, "0 issue(s)\n")
    assert result.stderr.strip().splitlines()[-1] == ("PSScriptAnalyzer not run: no PowerShell (set REMEDIATE_PWSH"
                                                      " or put pwsh on PATH)")


def test_lint_with_a_powershell_that_lacks_the_module_says_so(tmp_path, monkeypatch):
    # A stand-in PowerShell that answers as the runner does when Get-Module finds no PSScriptAnalyzer.
    fake = tmp_path / "pwsh"
    fake.write_text("#!/bin/sh\ncat >/dev/null\necho '{\"available\":false,\"reason\":\"no module\"}'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("REMEDIATE_PWSH", str(fake))
    script = tmp_path / "ok.ps1"
    script.write_bytes((HEAD + "exit 0\r\n").encode("ascii"))
    result = lint.lint_result([script])
    assert result.exit_code == 0 and result.data == []
    assert result.notes == (f"PSScriptAnalyzer not run: {fake} has no PSScriptAnalyzer module"
                            " (Install-Module PSScriptAnalyzer)",)


def test_a_failing_analyzer_is_reported_not_passed_silently(tmp_path, monkeypatch):
    fake = tmp_path / "pwsh"
    fake.write_text("#!/bin/sh\ncat >/dev/null\necho 'Import-Module: boom' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("REMEDIATE_PWSH", str(fake))
    assert pssa.analyze([tmp_path]).skipped == f"PSScriptAnalyzer failed under {fake}: Import-Module: boom"


def test_settings_exclude_at_most_three_rules_each_with_a_reason():
    text = generate.PSSA_SETTINGS.read_text(encoding="utf-8")
    block = re.search(r"ExcludeRules\s*=\s*@\((.*?)\)", text, re.S)
    excluded = [line for line in (block.group(1).splitlines() if block else []) if "'" in line]
    assert len(excluded) <= 3
    assert all("#" in line for line in excluded)
    assert "IncludeDefaultRules = $true" in text and "desktop-5.1.14393.206-windows" in text
    assert (ROOT / "PSScriptAnalyzerSettings.psd1").read_text(encoding="utf-8") == text


def test_every_suppression_is_at_a_function_and_justified():
    """Never file-wide: each SuppressMessageAttribute sits in a function's head, with a justification."""
    for source in [*_source_files(), ROOT / "remediate" / "powershell" / "script.ps1.j2"]:
        lines = source.read_text(encoding="ascii").splitlines()
        for number, line in enumerate(lines):
            if "SuppressMessageAttribute" not in line:
                continue
            assert re.search(r"Justification = '[^']{20,}'\)\]$", line), f"{source.name}:{number + 1}"
            head = "\n".join(lines[max(0, number - 40):number])
            assert head.rfind("function ") > head.rfind("\n}"), f"{source.name}:{number + 1} is not in a function"


def test_docs_name_every_suppressed_function():
    """docs/linting.md lists each suppression with its reason: a new one must be added there."""
    doc = (ROOT / "docs" / "linting.md").read_text(encoding="utf-8")
    suppressed = set()
    for source in _source_files():
        text = source.read_text(encoding="ascii")
        for match in re.finditer(r"^function ([\w-]+) \{(?:(?!^\}).)*?SuppressMessageAttribute\('(\w+)'", text,
                                 re.M | re.S):
            suppressed.add((match.group(1), match.group(2)))
    assert len(suppressed) >= 10
    for function, rule in sorted(suppressed):
        row = next((line for line in doc.splitlines() if f"`{function}`" in line), "")
        assert rule in row, f"docs/linting.md has no row for {function} / {rule}"


def _both_script(tmp_path: Path) -> Path:
    script = tmp_path / "both.ps1"
    script.write_bytes((HEAD + "function Get-RmThings {\r\n    return 1\r\n}\r\n$b = (Get-RmThings) ? 1 : 2\r\n"
                        "Write-Output -InputObject $b\r\nexit 0\r\n").encode("ascii"))
    return script


def _rules(output: str, script: Path) -> set[str]:
    return {m.group(1) for m in re.finditer(rf"^{re.escape(str(script))}:\d+:\d+: (\S+) ", output, re.M)}


@pytest.mark.pwsh
def test_select_and_ignore_take_psscriptanalyzer_rule_names(tmp_path):
    script = _both_script(tmp_path)
    only = CliRunner().invoke(cli, ["lint", str(script), "--select", "psusesingular"])
    assert (only.exit_code, _rules(only.stdout, script)) == (1, {"PSUseSingularNouns"})
    rest = CliRunner().invoke(cli, ["lint", str(script), "--ignore", "PSUseSingularNouns,PS006"])
    assert (rest.exit_code, _rules(rest.stdout, script)) == (1, {"PSUseCompatibleSyntax"})
    sarif = CliRunner().invoke(cli, ["lint", str(script), "--select", "PS006,PSUseCompatibleSyntax", "--output",
                                     "sarif"])
    import json
    log = json.loads(sarif.stdout)["runs"][0]
    assert sorted(r["ruleId"] for r in log["results"]) == ["PS006", "PSUseCompatibleSyntax"]
    described = [r["id"] for r in log["tool"]["driver"]["rules"]]
    assert all(described[r["ruleIndex"]] == r["ruleId"] for r in log["results"])


def test_selecting_only_our_rules_runs_no_analyzer(tmp_path, monkeypatch):
    # A PowerShell that would fail loudly if started: --select PS006 must not start it.
    fake = tmp_path / "pwsh"
    fake.write_text("#!/bin/sh\necho started >> \"$0.log\"\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("REMEDIATE_PWSH", str(fake))
    script = _both_script(tmp_path)
    result = CliRunner().invoke(cli, ["lint", str(script), "--select", "PS006"])
    assert (result.exit_code, _rules(result.stdout, script), result.stderr) == (1, {"PS006"}, "")
    assert not (tmp_path / "pwsh.log").exists()
    full = CliRunner().invoke(cli, ["lint", str(script)])
    assert (tmp_path / "pwsh.log").read_text() == "started\n"
    assert "PSScriptAnalyzer failed under" in full.stderr


def test_analyzer_filter_reads_only_rule_names_shaped_like_psscriptanalyzer():
    keep = lint.analyzer_filter(("PS006,PSAvoid",), ("psavoidusingwritehost",))
    assert keep.run and keep.select == ("psavoid",)
    assert keep.keeps("PSAvoidUsingCmdletAliases") and not keep.keeps("PSAvoidUsingWriteHost")
    assert not keep.keeps("PSUseSingularNouns")
    assert lint.analyzer_filter(("PS0",), ()).run is False
    assert lint.analyzer_filter((), ("PS016",)) == lint.AnalyzerFilter()
    assert lint.select_rules(("PSUseSingularNouns",), ()) == frozenset()
