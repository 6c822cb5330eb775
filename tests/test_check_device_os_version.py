"""os_version: build floor from the registry (advisory, SYSTEM)."""

from __future__ import annotations

from checkutil import assert_lints_clean, function_text, render_device

from remediate.checks import get_check
from remediate.checks.base import Context, Tier

CHECK = get_check("os_version")


def test_tier_context_budget_and_rank():
    assert (CHECK.context, CHECK.tier, CHECK.budget_seconds, CHECK.rank) == (Context.SYSTEM, Tier.ADVISORY, 1, 91)
    assert CHECK.remediation_template is None


def test_desired_state_names_the_registry_values():
    state = CHECK.desired_state({"min_build": 19045})
    assert state["Path"] == r"HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion"
    assert (state["BuildName"], state["UbrName"], state["MinBuild"]) == ("CurrentBuild", "UBR", 19045)


def test_min_build_override_reaches_the_script(tmp_path):
    rendered = render_device(tmp_path, "os_version", min_build=22631)
    assert b"'MinBuild' = 22631" in rendered.detect and b"'MinBuild' = 19045" not in rendered.detect
    assert b"'min_build' = 22631" in rendered.detect


def test_advisory_only_and_lints_clean(tmp_path):
    rendered = render_device(tmp_path, "os_version")
    assert b"function Repair-RmOsVersion" not in rendered.remediate
    body = function_text(rendered.detect, "Test-RmOsVersion")
    assert "'os_build_below_floor'" in body and "'fail'" not in body
    assert_lints_clean(rendered)
