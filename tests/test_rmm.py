"""RMM output profiles: golden outputs for every outcome, the table rendered into the scripts, the docs table."""

from __future__ import annotations

import base64
import gzip
import json
import re

import pytest

from remediate import rmm
from remediate.errors import ConfigError
from remediate.limits import check_script
from remediate.lint import lint_bytes
from remediate.psliteral import ps_value
from remediate.render import LAUNCH_TOKEN_SCRIPT, render_package, render_rmm_script, user_launch_seconds
from remediate.results import Verdict
from remediate.launcher import wrap_for_interactive_user

# The mapping restated by hand (the golden copy): outcome -> exit code per RMM profile.
GOLDEN_EXITS = {
    #                  nagios tactical datto ninjaone nsight
    "compliant":       (0, 0, 0, 0, 0),
    "skipped":         (0, 11, 0, 0, 0),
    "remediated":      (0, 10, 0, 0, 0),
    "mutex_busy":      (3, 12, 0, 0, 0),
    "deferred":        (1, 21, 1, 1, 1002),
    "non_compliant":   (1, 20, 1, 1, 1001),
    "failed":          (2, 30, 1, 2, 1003),
    "needs_attention": (2, 31, 1, 2, 1004),
    "error":           (3, 32, 1, 3, 1005),
}
RMM_PROFILES = ("nagios", "tactical", "datto", "ninjaone", "nsight")
# Intune/json: (detect, remediate) exit of the verdict each outcome comes with.
GOLDEN_PHASE_EXITS = {"compliant": (0, 0), "skipped": (0, 0), "remediated": (0, 0), "mutex_busy": (0, 0),
                      "deferred": (1, 0), "non_compliant": (1, 0), "failed": (1, 1), "needs_attention": (1, 0),
                      "error": (1, 1)}


def result_for(outcome: str, phase: str = "remediate") -> dict:
    verdict = rmm.REASON_VERDICT[outcome].value if outcome in rmm.REASON_VERDICT else outcome
    reason = outcome if outcome in rmm.REASON_VERDICT else ""
    failing = [] if rmm.SEVERITY[outcome] == "OK" else ["tls12_machine", "clock_sync"]
    return {"schema_version": 1, "package": "caa20002-device", "phase": phase, "verdict": verdict, "reason": reason,
            "computer": "PC-0042", "duration_ms": 812, "failing": failing, "findings": []}


def test_every_verdict_and_reason_outcome_has_a_row():
    assert set(rmm.OUTCOMES) == {v.value for v in Verdict} | set(rmm.REASON_OUTCOMES)
    assert set(GOLDEN_EXITS) == set(rmm.OUTCOMES)


@pytest.mark.parametrize("outcome", rmm.OUTCOMES)
@pytest.mark.parametrize("profile", RMM_PROFILES)
def test_exit_code_golden(profile, outcome):
    rendered = rmm.format_result(profile, result_for(outcome))
    assert rendered.outcome == outcome
    assert rendered.exit_code == GOLDEN_EXITS[outcome][RMM_PROFILES.index(profile)]


@pytest.mark.parametrize("outcome", rmm.OUTCOMES)
@pytest.mark.parametrize("profile", ["intune", "json"])
def test_phase_exit_profiles_keep_the_intune_codes(profile, outcome):
    for i, phase in enumerate(("detect", "remediate")):
        rendered = rmm.format_result(profile, result_for(outcome, phase))
        assert rendered.exit_code == GOLDEN_PHASE_EXITS[outcome][i]
        assert rendered.lines == (json.dumps(result_for(outcome, phase), separators=(",", ":")),)


def test_tactical_avoids_reserved_codes_and_nsight_shows_text():
    assert not set(rmm.PROFILES["tactical"].exits.values()) & set(rmm.TACTICAL_RESERVED)
    assert all(c == 0 or c > 1000 for c in rmm.PROFILES["nsight"].exits.values())
    assert set(rmm.PROFILES["nagios"].exits.values()) <= {0, 1, 2, 3}
    assert rmm.TACTICAL_SUCCESS == (10, 11) and rmm.TACTICAL_INFO == (12,) and rmm.TACTICAL_WARNING == (20, 21)


NAGIOS_GOLDEN = {
    "compliant": "OK - caa20002-device compliant on PC-0042; failing: none | failing=0;;;0 duration=812ms",
    "skipped": "OK - caa20002-device skipped on PC-0042; failing: none | failing=0;;;0 duration=812ms",
    "remediated": "OK - caa20002-device remediated on PC-0042; failing: none | failing=0;;;0 duration=812ms",
    "mutex_busy": "UNKNOWN - caa20002-device mutex_busy on PC-0042; failing: tls12_machine,clock_sync | "
                  "failing=2;;;0 duration=812ms",
    "deferred": "WARNING - caa20002-device deferred on PC-0042; failing: tls12_machine,clock_sync | "
                "failing=2;;;0 duration=812ms",
    "non_compliant": "WARNING - caa20002-device non_compliant on PC-0042; failing: tls12_machine,clock_sync | "
                     "failing=2;;;0 duration=812ms",
    "failed": "CRITICAL - caa20002-device failed on PC-0042; failing: tls12_machine,clock_sync | "
              "failing=2;;;0 duration=812ms",
    "needs_attention": "CRITICAL - caa20002-device needs_attention on PC-0042; failing: tls12_machine,clock_sync | "
                       "failing=2;;;0 duration=812ms",
    "error": "UNKNOWN - caa20002-device error on PC-0042; failing: tls12_machine,clock_sync | "
             "failing=2;;;0 duration=812ms",
}


@pytest.mark.parametrize("outcome", rmm.OUTCOMES)
def test_nagios_golden_is_one_line(outcome):
    assert rmm.format_result("nagios", result_for(outcome)).lines == (NAGIOS_GOLDEN[outcome],)


@pytest.mark.parametrize("outcome", rmm.OUTCOMES)
def test_datto_golden_block(outcome):
    data = result_for(outcome)
    status = NAGIOS_GOLDEN[outcome].split(" | ")[0].replace(" - ", ": ", 1)
    assert rmm.format_result("datto", data).lines == (
        "<-Start Diagnostic->", json.dumps(data, separators=(",", ":")), "<-End Diagnostic->",
        "<-Start Result->", "Status=" + status, "<-End Result->")


@pytest.mark.parametrize("profile", ["tactical", "ninjaone", "nsight"])
@pytest.mark.parametrize("outcome", rmm.OUTCOMES)
def test_status_line_is_last(profile, outcome):
    data = result_for(outcome)
    status = NAGIOS_GOLDEN[outcome].split(" | ")[0].replace(" - ", ": ", 1)
    assert rmm.format_result(profile, data).lines == (json.dumps(data, separators=(",", ":")), status)


def test_values_are_sanitised_and_tokens_expand_once():
    data = {"verdict": "failed", "package": "p", "computer": "PC-\u00e9", "failing": ["a|b", "{json}"],
            "duration_ms": None}
    line = rmm.format_result("nagios", data).lines[0]
    assert line == "CRITICAL - p failed on PC-?; failing: a_b,_json_ | failing=2;;;0 duration=0ms"
    assert rmm.expand("{json}{x}", {"json": "{label}", "label": "no"}) == "{label}{x}"


@pytest.mark.parametrize("line, verdict", [("", "error"), ("garbage", "error"), ("[1]", "error"),
                                           ('{"verdict":"compliant","failing":["a"]}', "compliant")])
def test_relayed_lines_are_parsed_like_the_runtime(line, verdict):
    summary = rmm.parse_relayed(line, "caa20002-user", "detect")
    assert summary["verdict"] == verdict and summary["package"] == "caa20002-user"


def test_unknown_verdicts_are_errors_and_reasons_win():
    assert rmm.outcome_of({"verdict": "odd"}) == "error"
    assert rmm.outcome_of({"verdict": "failed", "reason": "needs_attention"}) == "needs_attention"
    assert rmm.outcome_of({"verdict": "skipped", "reason": "no_interactive_user"}) == "skipped"


# -- the rendered PowerShell ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rmm_scripts(real_packages):
    return {(p.id, name): (p, render_rmm_script(p, name)) for p in real_packages for name in rmm.PROFILES}


def test_every_profile_and_package_lints_clean(rmm_scripts):
    for (pid, profile), (_, data) in rmm_scripts.items():
        assert lint_bytes(data, f"{profile}/{pid}.ps1") == [], (pid, profile)
        assert data.isascii() and b"\n" not in data.replace(b"\r\n", b"")


def packed_script(loader: bytes) -> str:
    """The full script inside a compressed loader, decoded the way its header tells a reader to."""
    chunks = re.findall(r"^ +'([A-Za-z0-9+/=]{99,})'", loader.decode("ascii"), re.M)
    return gzip.decompress(base64.b64decode("".join(chunks))).decode("ascii")


def test_every_rmm_script_fits_its_vendors_size_limit(rmm_scripts):
    for (pid, profile), (_, data) in rmm_scripts.items():
        limit = rmm.PROFILES[profile].limit
        check_script(data, f"{profile}/{pid}.ps1", limit)  # raises ConfigError past the limit
        assert len(data) <= limit.max_chars


def test_nsight_scripts_are_loaders_under_65535_characters(rmm_scripts):
    assert rmm.PROFILES["nsight"].limit.max_chars == 65_535
    for pid in ("caa20002-device", "caa20002-user"):
        loader = rmm_scripts[(pid, "nsight")][1]
        assert len(loader) < 65_535 and b"& $RmLoaded @args" in loader
        inner = packed_script(loader)
        assert lint_bytes(inner.encode("ascii"), f"nsight/{pid}.inner.ps1") == []
        assert "Write-RmResult -Result $RmOutcome -Relaunch $RmRelaunch" in inner and "<#" not in inner


def test_a_script_over_its_profile_limit_is_refused():
    with pytest.raises(ConfigError, match="exceeds N-able N-sight's script limit of 65535"):
        check_script(b"#" * 65_536, "nsight/x.ps1", rmm.PROFILES["nsight"].limit)
    check_script(b"#" * 65_536, "tactical/x.ps1", rmm.PROFILES["tactical"].limit)


def test_host_exit_only_where_codes_go_beyond_0_and_1():
    assert {n for n, p in rmm.PROFILES.items() if p.host_exit} == {"nagios", "tactical", "ninjaone", "nsight"}


def test_ninjaone_aliases_are_camelcase_of_the_input_names():
    assert rmm.inputs_config("ninjaone")["Names"] == {
        "Fix": ["REMEDIATE_FIX", "remediateFix"], "DryRun": ["REMEDIATE_DRY_RUN", "remediateDryRun"],
        "ResetState": ["REMEDIATE_RESET_STATE", "remediateResetState"],
        "CustomField": ["REMEDIATE_NINJA_FIELD", "remediateNinjaField"]}
    assert "CustomField" not in rmm.inputs_config("tactical")["Names"]


def readable(profile: str, data: bytes) -> bytes:
    """The script itself: a compressed profile's loader holds it packed."""
    return packed_script(data).encode("ascii") if rmm.PROFILES[profile].packed else data


def test_the_table_is_rendered_through_ps_value(rmm_scripts):
    for (pid, profile), (package, data) in rmm_scripts.items():
        data = readable(profile, data)
        literal = "$RmOutput = " + ps_value(rmm.output_config(profile, pid, "remediate"))
        assert literal.replace("\n", "\r\n").encode() in data
        mapped = not rmm.PROFILES[profile].phase_exit
        assert (b"function Expand-RmTemplate" in data) is mapped
        assert b"$RmRmm = " in data


def test_intune_scripts_pass_the_line_through(rendered):
    for pkg in rendered.values():
        for data in (pkg.detect, pkg.remediate):
            assert b"$RmOutput = [ordered]@{\r\n    'Profile' = 'intune'\r\n    'PhaseExit' = $true\r\n    'HostExit' = $false\r\n}" in data
            assert b"return [ordered]@{ Lines = @($Line); ExitCode = $ExitCode }" in data
            assert b"Expand-RmTemplate" not in data and b"$RmRmm" not in data


def test_powershell_formatter_mirrors_the_python_one(rmm_scripts):
    """The constants both formatters depend on are the same text on both sides."""
    data = rmm_scripts[("caa20002-device", "nagios")][1].decode()
    assert "'(\\{[a-z_]+\\})'" in data and rmm._TOKEN.pattern == r"(\{[a-z_]+\})"
    assert "-replace '[^A-Za-z0-9_.-]', '_'" in data and rmm._UNSAFE_ID.pattern == r"[^A-Za-z0-9_.-]"
    assert "-replace '[^\\x20-\\x7E]', '?'" in data and rmm._NON_ASCII.pattern.lower() == r"[^\x20-\x7e]"
    fields = re.search(r"\$values = \[ordered\]@\{(.*?)\}", data, re.S).group(1)
    assert re.findall(r"^\s+(\w+) =", fields, re.M) == list(rmm.TEMPLATE_FIELDS)
    for profile in rmm.PROFILES.values():
        for template in profile.lines:
            assert set(re.findall(r"\{([a-z_]+)\}", template)) <= set(rmm.TEMPLATE_FIELDS)


def test_single_exit_and_inputs(rmm_scripts):
    for (_, profile), (_, data) in rmm_scripts.items():
        text = readable(profile, data).decode()
        assert len(re.findall(r"(?m)^\s*exit\b", text)) == 1
        assert "Import-RmArgumentInput -Arguments @($args)" in text
        assert "Set-RmRunPhase -Inputs $RmInputs" in text
        for name, _ in rmm.INPUTS.values():
            assert f"= '{name}'" in text
        assert text.rstrip().endswith("Write-RmResult -Result $RmOutcome -Relaunch $RmRelaunch")


def _unpack(text: str, key: str) -> str:
    block = re.search(rf"'{key}' = @\((.*?)\)", text, re.S).group(1)
    chunks = re.findall(r"'([A-Za-z0-9+/=]+)'", block)
    return gzip.decompress(base64.b64decode("".join(chunks))).decode("ascii")


def test_user_package_embeds_the_launcher_and_a_json_payload(rmm_scripts, real_packages):
    user = next(p for p in real_packages if p.run_as.value == "user")
    text = rmm_scripts[(user.id, "datto")][1].decode()
    launcher = _unpack(text, "Launcher")
    assert launcher == wrap_for_interactive_user(LAUNCH_TOKEN_SCRIPT, package=user.id, phase="remediate",
                                                 timeout_s=user_launch_seconds(user))
    token = base64.b64encode(LAUNCH_TOKEN_SCRIPT.encode()).decode()
    assert f"'Token' = '{token}'" in text and launcher.count(token) == 1
    payload = _unpack(text, "Payload")
    assert lint_bytes(payload.encode("ascii"), "payload.ps1") == []
    assert "'Profile' = 'json'" in payload and "Invoke-RmPackage -Checks $RmChecks" in payload
    assert "Reset-RmStateOnRequest -Inputs $RmInputs" in payload
    assert "Invoke-RmUserPackage -Inputs $RmInputs -Context $RmContext" in text
    assert "$RmChecks" not in text  # the checks travel in the payload only


def test_device_package_runs_in_process(rmm_scripts):
    text = rmm_scripts[("caa20002-device", "nagios")][1].decode()
    assert "Invoke-RmUserPackage" not in text and "$RmUserLaunch" not in text
    assert "Reset-RmStateOnRequest -Inputs $RmInputs" in text


def test_ninjaone_custom_field_is_guarded(rmm_scripts):
    text = rmm_scripts[("caa20002-device", "ninjaone")][1].decode()
    assert "Get-Command -Name 'Ninja-Property-Set' -ErrorAction SilentlyContinue" in text
    assert "'CustomField' = @(\r\n            'REMEDIATE_NINJA_FIELD',\r\n            'remediateNinjaField'\r\n" in text
    assert "'Kind' = 'ninja'" in text
    nagios = rmm_scripts[("caa20002-device", "nagios")][1].decode()
    assert "'Kind' = ''" in nagios and "'CustomField' = @(" not in nagios


def test_rmm_rendering_is_deterministic(real_packages):
    for package in real_packages:
        assert render_rmm_script(package, "datto") == render_rmm_script(package, "datto")


def test_docs_table_is_generated_from_the_code(repo_root):
    text = (repo_root / "docs" / "rmm.md").read_text()
    assert rmm.splice_doc(text) == text
    assert rmm.mapping_markdown() in text


def test_unknown_profile_is_a_config_error():
    from remediate.errors import ConfigError

    with pytest.raises(ConfigError):
        rmm.get_profile("kaseya")


def test_intune_package_output_unchanged_by_default(real_packages):
    for package in real_packages:
        assert render_package(package).detect.count(b"Format-RmProfileOutput -Result $Result") == 1
