"""office_credentials: the target line pattern, the opt-in default and the cmdkey contract of the fragments."""

from __future__ import annotations

import re

import pytest
from checkutil import USER_TOML, assert_lints_clean, descriptor, render_with_table

from remediate.checks import get_check
from remediate.checks.base import Context, Tier

CHECK = get_check("office_credentials")
DEFAULTS = CHECK.resolve_options({}, file=None, key="t")


def _targets(output: str, options=DEFAULTS) -> list[str]:
    """What the detection fragment extracts from `cmdkey /list` output (the same regex, read by .NET)."""
    pattern = re.compile(CHECK.desired_state(options)["LinePattern"])
    found = []
    for line in re.split(r"\r?\n", output):
        m = pattern.match(line)
        if m:
            found.append(m.group(1))
    return found


CMDKEY_LIST = """
Currently stored credentials:

    Target: LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@contoso.com
    Type: Generic
    User: alex@contoso.com
    Local machine persistence

    Target: LegacyGeneric:target=msteams_adalsso/adal_context_0
    Type: Generic
    User: alex@contoso.com

    Target: MicrosoftOffice16_Data:orgid:alex@contoso.com
    Type: Generic

    Target: Domain:target=fileserver01
    Type: Domain Password
    User: CONTOSO\\alex

    Target: LegacyGeneric:target=OneDrive Cached Credential Business - Business1
    Type: Generic
"""


@pytest.mark.parametrize(("output", "expected"), [
    pytest.param(CMDKEY_LIST, ["LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@contoso.com",
                               "LegacyGeneric:target=msteams_adalsso/adal_context_0",
                               "MicrosoftOffice16_Data:orgid:alex@contoso.com"], id="english"),
    pytest.param("    Ziel: LegacyGeneric:target=msteams_adalsso/adal_context_1\r\n    Typ: Generisch\r\n",
                 ["LegacyGeneric:target=msteams_adalsso/adal_context_1"], id="localised-label-crlf"),
    pytest.param("Currently stored credentials:\n\n* NONE *\n", [], id="empty-vault"),
    pytest.param("    Target: LegacyGeneric:target=microsoftoffice16_data:sspi:a@b.c  \n",
                 ["LegacyGeneric:target=microsoftoffice16_data:sspi:a@b.c"], id="case-and-trailing-blanks"),
    pytest.param("    User: MicrosoftOffice16\n    Target: LegacyGeneric:target=MicrosoftOffice15_Data:x\n", [],
                 id="other-office-versions-and-user-lines"),
])
def test_target_lines_are_recognised(output, expected):
    assert _targets(output) == expected


def test_option_targets_narrow_the_pattern():
    only_teams = CHECK.resolve_options({"targets": ["msteams_adalsso/"]}, file=None, key="t")
    assert _targets(CMDKEY_LIST, only_teams) == ["LegacyGeneric:target=msteams_adalsso/adal_context_0"]


@pytest.mark.parametrize("bad", ["M", "Microsoft", "*:", "a b:"])
def test_option_targets_refuse_broad_or_odd_prefixes(bad):
    from remediate.errors import ConfigError
    with pytest.raises(ConfigError):
        CHECK.resolve_options({"targets": [bad]}, file=None, key="t")


def test_metadata_tier_context_budget():
    assert CHECK.context is Context.USER
    assert CHECK.tier is Tier.OPT_IN
    assert CHECK.evidence_gated
    assert (CHECK.budget_seconds, CHECK.rank) == (3, 70)
    desired = CHECK.desired_state(DEFAULTS)
    # Worst case of one remediation pass stays near the declared budget (list + deletes).
    assert desired["ListTimeoutSeconds"] + desired["DeleteDeadlineSeconds"] <= CHECK.budget_seconds + 1
    assert "cannot be quarantined" in CHECK.backup and "recreate" in CHECK.undo


def test_shipped_package_keeps_the_fix_off_and_says_so(rendered):
    pkg = rendered["caa20002-user"]
    cfg = next(c for c in pkg.package.checks if c.id == "office_credentials")
    assert cfg.fix is False
    section = pkg.readme.decode().split("### `office_credentials`")[1].split("### ")[0]
    assert "not enabled" in section
    assert "'Fix' = $false" in descriptor(pkg.remediate, "office_credentials")


def test_option_overrides_reach_the_script(tmp_path):
    table = ('[checks.office_credentials]\nfix = true\nwindow_hours = 12\nevidence_mode = "always"\n'
             'targets = ["msteams_adalsso/"]\n')
    pkg = render_with_table(tmp_path, USER_TOML, "office_credentials", table)
    block = descriptor(pkg.remediate, "office_credentials")
    assert "'Fix' = $true" in block and "'window_hours' = 12" in block
    assert "'evidence_mode' = 'always'" in block
    assert "MicrosoftOffice16_Data" not in block and "(?:msteams_adalsso/)" in block
    assert_lints_clean(pkg)


def test_fragments_use_cmdkey_through_invoke_rmnative_behind_shouldprocess():
    detect = CHECK.detection_template.read_text()
    repair = CHECK.remediation_template.read_text()
    assert CHECK.desired_state(DEFAULTS)["Program"] == r"System32\cmdkey.exe"  # under %windir%
    assert "-Arguments '/list'" in detect and "/delete" not in detect  # detection changes nothing
    assert "-Arguments ('/delete:' + $target)" in repair
    assert "$PSCmdlet.ShouldProcess($target, 'cmdkey /delete')" in repair
    # Names with blanks or quotes never reach the command line.
    assert "'^[^\\s\"]+$'" in detect
    assert "Write-RmLog -Message ($Check.Id + ': removed credential ' + $target)" in repair
    assert "$Check.Id + '.cleared'" in detect and "$Check.Id + '.cleared'" in repair
