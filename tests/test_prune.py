"""Runtime pruning: only functions a script can reach are inlined; nothing it calls goes missing."""

from __future__ import annotations

from remediate import pwsh
from remediate.prune import prune, reachable
from remediate.pscalls import check_calls

RUNTIME = "\n".join([
    "function Get-RmA {", "    Get-RmB", "}",
    "function Get-RmB {", "    $x = 1", "}",
    "function Get-RmUnused {", "    Get-RmB", "}",
    "function Test-RmCheck {", "    Get-RmC", "}",
    "function Get-RmC {", "    $y = 2", "}",
    "",
])


def test_reachability_follows_calls_and_descriptor_names():
    script = "$c = @{ 'Detect' = 'Test-RmCheck' }\nGet-RmA\n"
    assert reachable(RUNTIME, script) == {"get-rma", "get-rmb", "test-rmcheck", "get-rmc"}
    pruned = prune(RUNTIME, script)
    assert "Get-RmUnused" not in pruned and "function Get-RmB" in pruned
    assert pwsh.deepest_error(pwsh.parse(pruned.encode())) is None


def test_unreachable_everything_leaves_only_text_outside_functions():
    assert prune(RUNTIME, "$z = 3\n").strip() == ""


def test_generated_scripts_call_nothing_undefined_and_are_smaller(rendered):
    for pkg in rendered.values():
        for data in (pkg.detect, pkg.remediate):
            assert list(check_calls(pwsh.parse(data), data)) == []
        assert len(pkg.detect) < len(pkg.remediate)
        # Detection changes nothing: the writers are not even in the file.
        for writer in (b"Set-RmRegistryValue", b"Remove-RmRegistryValue", b"Move-RmToQuarantine"):
            assert b"function " + writer not in pkg.detect
