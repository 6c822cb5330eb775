"""The result contract: exit codes, parsing, and the docs and README tables generated from the code."""

from __future__ import annotations

import json

import pytest

from remediate import docs
from remediate.errors import EXIT_CODE_HELP
from remediate.results import EXAMPLES, ResultParseError, Verdict, parse_result_line, script_exit_code

EXIT_CASES = [
    ("detect", "compliant", 0), ("detect", "non_compliant", 1), ("detect", "error", 1), ("detect", "skipped", 0),
    ("remediate", "remediated", 0), ("remediate", "deferred", 0), ("remediate", "compliant", 0),
    ("remediate", "failed", 1), ("remediate", "error", 1), ("remediate", "non_compliant", 0),
]


@pytest.mark.parametrize(("phase", "verdict", "code"), EXIT_CASES, ids=[f"{p}-{v}" for p, v, _ in EXIT_CASES])
def test_script_exit_codes(phase, verdict, code):
    assert script_exit_code(phase, verdict) == code


def test_every_verdict_has_an_exit_code_in_both_phases():
    for verdict in Verdict:
        assert script_exit_code("detect", verdict) in (0, 1)
        assert script_exit_code("remediate", verdict) in (0, 1)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_examples_parse_and_fit_the_intune_limit(name):
    line = json.dumps(EXAMPLES[name], separators=(",", ":"))
    assert len(line) <= 2048 and line.isascii()
    assert parse_result_line("noise before\r\n" + line + "\r\n").data == EXAMPLES[name]


BAD_OUTPUT = [
    ("empty", "", "no output"),
    ("not-json", "hello world", "not JSON"),
    ("truncated", '{"schema_version":1,"package":"x","phase":"detect","verd', "not JSON"),
    ("foreign-json", '{"status":"ok"}', "missing key"),
    ("bad-verdict", '{"schema_version":1,"package":"x","phase":"detect","verdict":"great","findings":[]}',
     "verdict 'great'"),
    ("bad-state", '{"schema_version":1,"package":"x","phase":"detect","verdict":"compliant",'
                  '"findings":[{"id":"a","state":"odd"}]}', "state 'odd'"),
    ("json-array", "[1,2]", "not a JSON object"),
]


@pytest.mark.parametrize(("text", "words"), [b[1:] for b in BAD_OUTPUT], ids=[b[0] for b in BAD_OUTPUT])
def test_foreign_or_broken_output_is_a_one_line_parse_error(text, words):
    with pytest.raises(ResultParseError) as err:
        parse_result_line(text)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_results_doc_is_generated_from_the_code(repo_root):
    assert (repo_root / "docs" / "results.md").read_text() == docs.results_markdown(), \
        "docs/results.md is stale: run remediate generate"


def test_readme_exit_code_table_is_generated_from_the_code(repo_root):
    readme = (repo_root / "README.md").read_text()
    block = readme.split("<!-- exit-codes:start", 1)[1].split("<!-- exit-codes:end -->", 1)[0]
    assert block.split("\n", 1)[1] == docs.exit_code_table() + "\n"
    assert len(EXIT_CODE_HELP) == docs.exit_code_table().count("\n") - 1
