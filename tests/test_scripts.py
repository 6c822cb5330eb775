"""Static contract tests over every generated script (no PowerShell here: DOMAIN.md section 8).

What is proven here is structural: the scripts parse, follow the runtime contract, call only functions they
define with parameters those functions declare, and read only configuration keys the renderer provides.
How they behave on Windows PowerShell 5.1 is for .github/workflows/windows.yml.
"""

from __future__ import annotations

import re

import pytest

from remediate import pwsh
from remediate.checks.base import Tier
from remediate.lint import lint_bytes
from remediate.pscalls import signatures
from remediate.render import _config_data, _schema_data, render_package, runtime_source
from remediate.results import Phase, Verdict, script_exit_code

PHASES = ["detect", "remediate"]


def _scripts(rendered):
    for pid, pkg in sorted(rendered.items()):
        for phase in PHASES:
            yield pid, phase, getattr(pkg, phase), pkg.package


def _ids(rendered):
    return [f"{pid}-{phase}" for pid, phase, *_ in _scripts(rendered)]


@pytest.fixture(scope="module")
def scripts(rendered):
    return list(_scripts(rendered))


def test_every_script_lints_clean(scripts):
    for pid, phase, data, _ in scripts:
        assert lint_bytes(data, f"{pid}/{phase}.ps1") == [], f"{pid}/{phase}"


def test_encoding_policy(scripts):
    for pid, phase, data, package in scripts:
        assert not data.startswith(b"\xef\xbb\xbf")
        data.decode("ascii")
        assert b"\n" not in data.replace(b"\r\n", b"")
        # Intune accepts 200,000 bytes; 150,000 keeps 25 % headroom for new checks (runtime pruning and the
        # synopsis-only help of the inlined runtime help). It was 140,000 before the field-safety work (user
        # notification, call detection, evidence gate) added about 10 KB to the user remediation.
        assert len(data) < 150_000, f"{pid}/{phase} is {len(data)} bytes (Intune limit 200,000)"
        first = data.split(b"\r\n", 1)[0].decode()
        assert first == f"# generated from {package.source_name} by remediate 0.1.0; do not edit"
        assert re.search(rb"^# input-sha256: [0-9a-f]{64}\r$", data, re.M)


def test_single_exit_lives_in_write_rmresult_and_main_ends_with_it(scripts):
    for _, _, data, _ in scripts:
        tree = pwsh.parse(data)
        exits = [n for n in pwsh.iter_nodes(tree, "flow_control_statement") if pwsh.node_text(n, data).startswith("exit")]
        assert len(exits) == 1
        parent = exits[0].parent
        while parent.type != "function_statement":
            parent = parent.parent
        assert b"function Write-RmResult" in pwsh.node_text(parent, data).encode()
        assert data.rstrip().endswith(b"Write-RmResult -Result $RmOutcome -Relaunch $RmRelaunch")


def test_check_functions_match_the_phase(rendered):
    for pkg in rendered.values():
        for cfg in pkg.package.checks:
            stem = cfg.check.function_stem
            assert f"function Test-Rm{stem} {{".encode() in pkg.detect
            assert f"function Repair-Rm{stem} {{".encode() not in pkg.detect  # detection changes nothing
            has_repair = f"function Repair-Rm{stem} {{".encode() in pkg.remediate
            assert has_repair is (cfg.check.tier is not Tier.ADVISORY)


def test_descriptor_function_names_are_defined(scripts):
    for pid, phase, data, _ in scripts:
        defined = set(signatures(pwsh.parse(data), data)[0])
        for name in re.findall(rb"'(?:Detect|Repair)' = '([A-Za-z-]+)'", data):
            assert name.decode().lower() in defined, f"{pid}/{phase}: {name!r}"


def _used_keys(pattern: str, text: str) -> set[str]:
    return set(re.findall(pattern, text))


def test_runtime_reads_only_rendered_settings(real_packages):
    runtime = runtime_source()
    config_keys = set(_config_data(real_packages[0], Phase.DETECT, False))
    assert _used_keys(r"\$RmConfig\.(\w+)", runtime) <= config_keys
    assert _used_keys(r"\$RmSchema\.(\w+)", runtime) <= set(_schema_data())


def test_check_fragments_read_only_declared_options_and_desired_keys(real_packages):
    for package in real_packages:
        for cfg in package.checks:
            text = cfg.check.detection_template.read_text()
            if cfg.check.remediation_template:
                text += cfg.check.remediation_template.read_text()
            assert _used_keys(r"\$Options\.(\w+)", text) <= set(cfg.options), cfg.id
            assert _used_keys(r"\$Desired\.(\w+)", text) <= set(cfg.check.desired_state(cfg.options)), cfg.id


def test_rendered_exit_code_table_is_the_python_one(scripts):
    for _, _, data, _ in scripts:
        for phase in Phase:
            for verdict in Verdict:
                entry = f"'{phase.value}:{verdict.value}' = {script_exit_code(phase, verdict)}\r\n"
                assert entry.encode() in data


def test_rendering_is_deterministic(real_packages):
    for package in real_packages:
        assert render_package(package) == render_package(package)


def test_dry_run_switch_is_rendered(real_packages):
    package = real_packages[0]
    assert b"'DryRun' = $false" in render_package(package).remediate
    assert b"'DryRun' = $true" in render_package(package, dry_run=True).remediate
    assert b"$env:REMEDIATE_DRY_RUN -eq '1'" in render_package(package).remediate


def test_options_reach_the_script_through_escaping(real_packages, tmp_path):
    from remediate.packages import parse_package

    src = real_packages[0].source.read_text().replace("window_hours = 72", "window_hours = 48")
    path = tmp_path / "caa20002-device.toml"
    path.write_text(src)
    data = render_package(parse_package(path)).detect
    assert b"'window_hours' = 48" in data and b"'window_hours' = 72" not in data
