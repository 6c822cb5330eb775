"""Packages as data: every validation error names the file, the key and what was expected."""

from __future__ import annotations

import textwrap

import pytest

from remediate.checks import all_checks
from remediate.checks.base import Context, Tier
from remediate.errors import ConfigError
from remediate.packages import load_packages, parse_package

GOOD = """
id = "{id}"
display_name = "Test"
description = "A test package"
publisher = "tests"
run_as = "system"
run_as_64bit = true
[schedule]
kind = "daily"
time = "08:30"
[checks.tls12_machine]
{extra}
"""


def _write(tmp_path, body: str, name: str = "pkg-a"):
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_a_valid_package_loads_with_defaults(tmp_path):
    pkg = parse_package(_write(tmp_path, GOOD.format(id="pkg-a", extra="")))
    assert pkg.run_as is Context.SYSTEM
    assert [c.id for c in pkg.checks] == ["tls12_machine"]
    assert pkg.checks[0].options == {"include_winhttp": True}
    assert pkg.checks[0].fix is True  # safe tier: fixed by default
    assert pkg.schedule["time"] == "08:30" and pkg.runtime["max_attempts"] == 3


BAD = [
    ("unknown-check", GOOD.format(id="pkg-a", extra="") + "[checks.no_such_check]\n", "checks.no_such_check",
     "unknown check"),
    ("unknown-option", GOOD.format(id="pkg-a", extra="colour = 1"), "checks.tls12_machine.colour",
     "unknown option"),
    ("wrong-type", GOOD.format(id="pkg-a", extra="include_winhttp = 'yes'"),
     "checks.tls12_machine.include_winhttp", "expected boolean"),
    ("context-mismatch", GOOD.format(id="pkg-a", extra="") + "[checks.teams_cache]\n", "checks.teams_cache",
     "runs as user but the package runs as system"),
    ("out-of-range", GOOD.format(id="pkg-a", extra="") + "[runtime]\nmax_attempts = 0\n",
     "runtime.max_attempts", "below the minimum"),
    ("bad-time", GOOD.format(id="pkg-a", extra="").replace('"08:30"', '"25:00"'), "schedule.time",
     "does not match"),
    ("id-mismatch", GOOD.format(id="other", extra=""), "id", "must match the file name"),
    ("run-as", GOOD.format(id="pkg-a", extra="").replace('run_as = "system"', 'run_as = "admin"'), "run_as",
     "expected system or user"),
    ("32-bit", GOOD.format(id="pkg-a", extra="").replace("run_as_64bit = true", "run_as_64bit = false"),
     "run_as_64bit", "must be true"),
    ("unknown-top-key", GOOD.format(id="pkg-a", extra="") + "\n", None, None),
    ("advisory-fix", GOOD.format(id="pkg-a", extra="") + "[checks.aad_evidence]\nfix = true\n",
     "checks.aad_evidence.fix", "advisory check cannot be fixed"),
    ("no-checks", GOOD.format(id="pkg-a", extra="").replace("[checks.tls12_machine]", ""), "checks",
     "at least one"),
    ("not-toml", "id = [unclosed", None, "not valid TOML"),
    ("intune-not-a-table", GOOD.format(id="pkg-a", extra="").replace("[schedule]", "intune = 1\n[schedule]"),
     "intune", "expected a table"),
    ("intune-unknown-key", GOOD.format(id="pkg-a", extra="") + "[intune]\nscope_tag = ['x']\n",
     "intune.scope_tag", "unknown key (did you mean 'scope_tags'?)"),
    ("scope-tags-not-a-list", GOOD.format(id="pkg-a", extra="") + "[intune]\nscope_tags = 'Helpdesk'\n",
     "intune.scope_tags", "expected a non-empty list"),
    ("scope-tags-empty", GOOD.format(id="pkg-a", extra="") + "[intune]\nscope_tags = []\n",
     "intune.scope_tags", "leave the key out"),
    ("scope-tag-a-number", GOOD.format(id="pkg-a", extra="") + "[intune]\nscope_tags = [7]\n",
     "intune.scope_tags", 'write ids quoted: "7"'),
    ("scope-tag-blank", GOOD.format(id="pkg-a", extra="") + "[intune]\nscope_tags = ['Helpdesk', ' ']\n",
     "intune.scope_tags", "expected non-empty strings"),
    ("scope-tag-twice", GOOD.format(id="pkg-a", extra="") + "[intune]\nscope_tags = ['Helpdesk', 'helpdesk']\n",
     "intune.scope_tags", "'helpdesk' is listed twice"),
]


@pytest.mark.parametrize(("body", "key", "words"), [b[1:] for b in BAD if b[2] or b[3]],
                         ids=[b[0] for b in BAD if b[2] or b[3]])
def test_validation_errors_name_file_key_and_expectation(tmp_path, body, key, words):
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        parse_package(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    if key:
        assert f": {key}: " in message
    assert words in message


def test_scope_tags_load_as_written_and_absent_means_none(tmp_path):
    plain = parse_package(_write(tmp_path, GOOD.format(id="pkg-a", extra="")))
    assert plain.scope_tags == ()
    tagged = _write(tmp_path, GOOD.format(id="pkg-b", extra="") + "[intune]\nscope_tags = ['Helpdesk EU', '7']\n",
                    name="pkg-b")
    assert parse_package(tagged).scope_tags == ("Helpdesk EU", "7")


def test_shipped_packages_declare_no_scope_tags(real_packages):
    assert [p.scope_tags for p in real_packages] == [(), ()]  # publishing keeps today's Default "0"


def test_unknown_top_level_key_is_named(tmp_path):
    path = _write(tmp_path, "colour = 'red'\n" + GOOD.format(id="pkg-a", extra=""))
    with pytest.raises(ConfigError, match=r": colour: unknown key"):
        parse_package(path)


def test_overrides_are_validated_like_package_values(tmp_path):
    _write(tmp_path, GOOD.format(id="pkg-a", extra=""))
    with pytest.raises(ConfigError, match="expected boolean"):
        load_packages(tmp_path, {"pkg-a": {"tls12_machine": {"include_winhttp": 3}}})
    pkg = load_packages(tmp_path, {"pkg-a": {"tls12_machine": {"include_winhttp": False}}})[0]
    assert pkg.checks[0].options["include_winhttp"] is False


def test_empty_or_missing_packaging_directory_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no package files"):
        load_packages(tmp_path)
    with pytest.raises(ConfigError, match="not found"):
        load_packages(tmp_path / "missing")


def test_shipped_packages_match_their_contexts(real_packages):
    by_id = {p.id: p for p in real_packages}
    assert by_id["caa20002-device"].run_as is Context.SYSTEM
    assert by_id["caa20002-user"].run_as is Context.USER
    for package in real_packages:
        for cfg in package.checks:
            assert cfg.check.context is package.run_as, cfg.id
        assert package.budget_seconds < 60, package.id


@pytest.mark.parametrize("check", list(all_checks().values()), ids=lambda c: c.id)
def test_check_tier_rules(check):
    if check.tier is Tier.ADVISORY:
        assert check.remediation_template is None
    else:
        assert check.remediation_template is not None and check.remediation_template.is_file()
    assert check.detection_template.is_file()
    defaults = check.resolve_options({}, file=None, key=check.id)
    assert set(defaults) == {o.name for o in check.options}
    check.desired_state(defaults)  # the desired state renders from the defaults
    assert 0 < check.budget_seconds <= 30
