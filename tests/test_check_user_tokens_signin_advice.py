"""signin_advice: its table agrees with remediate.codes, the facts stay short, options reach the script."""

from __future__ import annotations

import json
import re

import pytest
from checkutil import USER_TOML, assert_lints_clean, descriptor, render_with_table

from remediate import codes
from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.checks.signin_advice import ADVICE, UNKNOWN_AADSTS, advice_table
from remediate.results import MAX_RESULT_CHARS

CHECK = get_check("signin_advice")
DEFAULTS = CHECK.resolve_options({}, file=None, key="t")
SYMPTOM = "0xCAA20002"  # the error itself: the code logged beside it carries the advice


def test_metadata_advisory_user_no_remediation():
    assert CHECK.context is Context.USER
    assert CHECK.tier is Tier.ADVISORY
    assert (CHECK.budget_seconds, CHECK.rank) == (1, 95)
    assert CHECK.remediation_template is None


def test_every_table_code_is_one_the_code_table_routes_here():
    for code, key in advice_table().items():
        info = codes.explain(code)
        assert info.code == code, "spelled canonically"
        assert info.known, code
        assert "signin_advice" in info.checks, code
        assert re.fullmatch(r"[a-z][a-z_]{2,29}", key), key


def test_every_code_the_code_table_routes_here_has_advice():
    routed = {info.code for info in codes.all_codes() if "signin_advice" in info.checks}
    assert routed - set(advice_table()) == {SYMPTOM}
    assert SYMPTOM not in advice_table()


def test_each_code_has_exactly_one_key():
    members = [code for group in ADVICE.values() for code in group]
    assert len(members) == len(set(members))


@pytest.mark.parametrize(("code", "key"), [
    ("AADSTS50126", "wrong_password"),
    ("AADSTS50053", "account_locked"),
    ("AADSTS50076", "mfa_required"),
    ("AADSTS50079", "mfa_registration"),
    ("AADSTS53003", "conditional_access"),
    ("AADSTS53000", "device_compliance"),
    ("AADSTS530003", "device_compliance"),
    ("AADSTS135011", "device_disabled"),
    ("AADSTS50155", "device_deleted"),
    ("AADSTS50097", "device_auth_required"),
    ("AADSTS50173", "password_changed"),
    ("AADSTS50055", "password_expired"),
    ("AADSTS700082", "refresh_token_expired"),
    ("AADSTS70043", "refresh_token_expired"),
])
def test_code_families_from_the_catalog_issue(code, key):
    assert advice_table()[code] == key


def test_worst_case_facts_fit_the_result_line():
    """max_codes at its maximum with the longest codes and keys, plus the other facts, stays well short."""
    top = CHECK.option("max_codes").max
    longest = sorted(advice_table().items(), key=lambda kv: -len(kv[0]) - len(kv[1]))[:int(top)]
    finding = {"id": CHECK.id, "state": "advisory", "reason": "helpdesk_advice",
               "facts": {"evidence": "device_evidence", "advice": dict(longest), "more": 99}}
    assert len(json.dumps(finding, separators=(",", ":"))) < MAX_RESULT_CHARS // 2


def test_readme_lists_every_key_and_unknown_codes():
    for key in ADVICE:
        assert key in CHECK.fix
    assert UNKNOWN_AADSTS in CHECK.fix
    assert codes.explain("AADSTS1234567").known is False  # what lookup_aadsts stands for


def test_detection_reads_evidence_and_never_fails():
    detect = CHECK.detection_template.read_text()
    assert "-Mode 'evidence'" in detect  # 'always' would carry no codes
    assert set(re.findall(r"-State '(\w+)'", detect)) == {"advisory", "pass"}
    assert "Select-Object -First ([int]$Desired.MaxCodes)" in detect


def test_option_overrides_reach_the_script(tmp_path):
    pkg = render_with_table(tmp_path, USER_TOML, "signin_advice",
                            "[checks.signin_advice]\nwindow_hours = 24\nmax_codes = 3\n")
    block = descriptor(pkg.detect, "signin_advice")
    assert "'window_hours' = 24" in block and "'MaxCodes' = 3" in block
    assert "'AADSTS50126' = 'wrong_password'" in block
    assert_lints_clean(pkg)
