"""`remediate explain` beyond hex and AADSTS: MSIS codes, bare AADSTS numbers, success, Microsoft Learn links."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from remediate.codes import REFERENCES


def explain(code: str) -> dict:
    res = CliRunner().invoke(cli, ["explain", code, "--output", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["result"]


@pytest.mark.parametrize("form", ["MSIS7065", "msis7065", " MSIS7065 "])
def test_msis_codes_are_ad_fs_errors(form):
    data = explain(form)
    assert data["code"] == "MSIS7065" and data["layer"] == "msis" and data["known"] is True
    assert "protocol handlers" in data["meaning"]
    assert data["reference"].startswith("https://learn.microsoft.com/")


def test_an_unknown_msis_code_points_at_the_ad_fs_log():
    data = explain("MSIS9999")
    assert data["known"] is False and "AD FS Admin event log" in data["meaning"]


@pytest.mark.parametrize("number, meaning", [("50126", "Invalid username or password"),
                                             ("700082", "refresh token has expired"),
                                             ("12345", "not in our table")])
def test_a_bare_five_or_six_digit_number_suggests_aadsts(number, meaning):
    data = explain(number)
    assert data["hint"].startswith(f"did you mean AADSTS{number}?") and meaning in data["hint"]
    text = CliRunner().invoke(cli, ["explain", number]).stdout
    assert f"hint:    did you mean AADSTS{number}?" in text


@pytest.mark.parametrize("code", ["3399614466", "0xCAA20002", "1234", "AADSTS50126"])
def test_other_forms_get_no_aadsts_hint(code):
    assert explain(code)["hint"] is None


@pytest.mark.parametrize("form", ["0", "0x0", "0x00000000", "-0"])
def test_zero_is_success(form):
    data = explain(form)
    assert data["layer"] == "success" and data["known"] is True and data["checks"] == []
    assert "not an error" in data["meaning"]
    assert "detail:" not in CliRunner().invoke(cli, ["explain", form]).stdout


@pytest.mark.parametrize("code, layer", [("AADSTS50126", "aadsts"), ("MSIS3173", "msis"),
                                         ("0xCAA82EE2", "winhttp"), ("0x80070005", "hresult")])
def test_the_learn_reference_is_given_where_one_exists(code, layer):
    data = explain(code)
    assert data["layer"] == layer and data["reference"] == REFERENCES[layer]
    assert f"see:     {REFERENCES[layer]}" in CliRunner().invoke(cli, ["explain", code]).stdout


def test_layers_without_a_reference_show_none():
    data = explain("0xCAA20002")
    assert data["reference"] is None
    assert all(url.startswith("https://learn.microsoft.com/") for url in REFERENCES.values())
