"""Every configuration value reaches PowerShell through the escaping functions; prove they are exact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remediate.errors import RenderError
from remediate.psliteral import ps_bool, ps_int, ps_str, ps_value
from pslit import eval_assigned_string

HOSTILE = [
    "",
    "plain",
    "it's",
    "''",
    "$(Remove-Item C:\\ -Recurse)",
    "`n`$env:PATH",
    '"double" quotes',
    "\u2018typographic\u2019 \u201a\u201b",
    "line1\nline2\r\nline3",
    "tab\there\x00nul",
    "caf\u00e9 \u4e2d\u6587",
    "emoji \U0001F600 beyond the BMP",
    "'; exit 0; '",
    "@'\nhere\n'@",
]


def _script(value: str) -> bytes:
    return ("$x = " + ps_str(value) + "\r\n").encode("ascii")


@pytest.mark.parametrize("value", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_strings_round_trip_through_the_parser(value):
    assert eval_assigned_string(_script(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_any_string_round_trips_through_the_parser(value):
    script = _script(value)  # also proves the literal is pure ASCII (encode would fail otherwise)
    assert eval_assigned_string(script) == value


def test_printable_strings_stay_one_plain_literal():
    assert ps_str("a'b") == "'a''b'"


@pytest.mark.parametrize(("func", "value"), [
    (ps_int, True), (ps_int, "1"), (ps_int, 1.5), (ps_bool, 1), (ps_bool, "true"), (ps_str, 3),
    (ps_value, object()),
], ids=["int-bool", "int-str", "int-float", "bool-int", "bool-str", "str-int", "value-object"])
def test_wrong_types_are_refused(func, value):
    with pytest.raises(RenderError):
        func(value)


def test_nested_values_render_as_ordered_literals():
    text = ps_value({"b": [1, "x"], "a": {"t": True, "n": None}})
    assert text.splitlines()[0] == "[ordered]@{"
    assert "'b' = @(" in text and "'t' = $true" in text and "'n' = $null" in text
    assert text.index("'b'") < text.index("'a'")  # insertion order, deterministic
