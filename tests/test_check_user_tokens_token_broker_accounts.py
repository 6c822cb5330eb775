"""token_broker_accounts: the desired state pins DOMAIN.md's folders, the gate reads codes.py's layers."""

from __future__ import annotations

from checkutil import USER_TOML, assert_lints_clean, descriptor, render_with_table

from remediate import codes
from remediate.checks import get_check
from remediate.checks.base import Context, Tier

CHECK = get_check("token_broker_accounts")


def test_metadata_tier_context_budget():
    assert CHECK.context is Context.USER
    assert CHECK.tier is Tier.OPT_IN
    assert CHECK.evidence_gated
    assert (CHECK.budget_seconds, CHECK.rank) == (5, 80)
    assert CHECK.remediation_template is not None


def test_desired_state_names_both_accounts_folders():
    desired = CHECK.desired_state(CHECK.resolve_options({}, file=None, key="t"))
    assert desired["Folders"] == [
        {"Base": "LOCALAPPDATA",
         "Path": r"Packages\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\AC\TokenBroker\Accounts"},
        {"Base": "LOCALAPPDATA",
         "Path": r"Packages\Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy\AC\TokenBroker\Accounts"},
    ]
    # No 'system' layer: it holds 0xCAA5001C, the wrapper of every 1098 on healthy devices (DOMAIN.md s.9).
    assert desired["Gate"]["Layers"] == ["broker", "keystore", "tpm"]
    assert desired["Gate"]["Codes"] == ["0x80070520", "0x80090016"]
    assert desired["Gate"]["Routine"] == sorted(codes.ROUTINE_CODES)  # sorted: rendering must not vary by hash seed


def test_default_gate_agrees_with_the_code_table():
    """Every default layer is a codes.py layer; each default code is one codes.py routes to this check."""
    for layer in CHECK.option("layers").default:
        assert layer in codes.LAYER_TITLES
    for code in CHECK.option("codes").default:
        info = codes.explain(code)
        assert info.known and "token_broker_accounts" in info.checks, code
    # DOMAIN.md s.1/s.2: 80090016 and the TPM families classify into the layers the gate accepts.
    assert codes.explain("80090016").layer == "keystore"
    assert codes.explain("0x80280001").layer == "tpm"
    assert codes.explain("0x80290001").layer == "tpm"
    assert codes.explain("0xCAA5001C").layer == "system"  # hence not a default layer
    assert codes.explain("0x80070520").layer == "hresult"  # hence listed as an exact code


def test_shipped_package_keeps_the_fix_off_and_says_so(rendered):
    pkg = rendered["caa20002-user"]
    cfg = next(c for c in pkg.package.checks if c.id == "token_broker_accounts")
    assert cfg.fix is False
    section = pkg.readme.decode().split("### `token_broker_accounts`")[1].split("### ")[0]
    assert "not enabled" in section
    assert "'Fix' = $false" in descriptor(pkg.remediate, "token_broker_accounts")


def test_option_overrides_reach_the_script(tmp_path):
    pkg = render_with_table(tmp_path, USER_TOML, "token_broker_accounts",
                            '[checks.token_broker_accounts]\nfix = true\nwindow_hours = 24\n'
                            'evidence_mode = "always"\nlayers = ["tpm"]\ncodes = ["0x80070520"]\n')
    block = descriptor(pkg.remediate, "token_broker_accounts")
    assert "'Fix' = $true" in block
    assert "'window_hours' = 24" in block and "'window_hours' = 72" not in block
    assert "'evidence_mode' = 'always'" in block
    assert "'keystore'" not in block and "'0x80090016'" not in block
    assert_lints_clean(pkg)


def test_detection_moves_files_not_folders_and_remembers_the_clear():
    detect = CHECK.detection_template.read_text()
    repair = CHECK.remediation_template.read_text()
    assert "Get-ChildItem -LiteralPath $root -Force -File" in detect
    assert "Get-RmUserEvidence -WindowHours" in detect and "-Gate $Desired.Gate" in detect
    assert "$Desired.ClearedKey" in detect and "$Desired.ClearedKey" in repair
    # The quarantine's allowed roots are the two folders from the desired state, nothing wider.
    assert "Move-RmToQuarantine -Path $items -AllowedRoot $roots -Check $Check.Id" in repair
    assert "$Desired.Folders" in repair
    assert "Remove-Item" not in detect + repair
