"""The code table: parsing every form logs use, layer decoding, and the data rendered into the scripts."""

from __future__ import annotations

import json

import pytest

from remediate import codes
from remediate.codes import CodeError, decode_detail, decode_layer, explain, normalize
from remediate.errors import ExitCode, RemediateError

# The check catalog (device package + user package). A code may only point at checks that exist.
CATALOG = {
    "aad_evidence", "tls12_machine", "clock_sync", "device_registration", "network_endpoints", "vpn_state",
    "os_version",
    "wam_broker", "office_identity_overrides", "tls12_user", "user_proxy", "teams_cache", "prt_state",
    "token_broker_accounts", "office_credentials", "account_conflict", "signin_advice",
}

# DOMAIN.md section 1: the three forms logs show, which must mean the same code.
THREE_FORMS = [
    pytest.param("0xCAA20002", "3399614466", "-895352830", id="CAA20002"),
    pytest.param("0xCAA70004", "3399942148", "-895025148", id="CAA70004"),
    pytest.param("0xCAA5001C", "3399811100", "-895156196", id="CAA5001C"),
    pytest.param("0x80090016", "2148073494", "-2146893802", id="NTE_BAD_KEYSET"),
]


@pytest.mark.parametrize("hex_form, unsigned_form, signed_form", THREE_FORMS)
def test_three_forms_normalize_and_explain_identically(hex_form, unsigned_form, signed_form):
    value = int(hex_form, 16)
    assert normalize(hex_form) == normalize(unsigned_form) == normalize(signed_form) == value
    assert explain(hex_form) == explain(unsigned_form) == explain(signed_form)
    assert explain(hex_form).code == hex_form


@pytest.mark.parametrize("text, expected", [
    pytest.param("CAA20002", 0xCAA20002, id="bare-hex"),
    pytest.param("caa20002", 0xCAA20002, id="bare-hex-lower"),
    pytest.param("0xcaa20002", 0xCAA20002, id="prefixed-lower"),
    pytest.param("  0xCAA20002 ", 0xCAA20002, id="surrounding-space"),
    pytest.param("80090016", 0x80090016, id="bare-hex-starting-8"),
    pytest.param("80070520", 0x80070520, id="bare-hex-win32-hresult"),
    pytest.param("0x102", 0x102, id="short-hex"),
    pytest.param("12345678", 12345678, id="8-digits-decimal"),
    pytest.param("258", 258, id="small-decimal"),
    pytest.param("4294967295", 0xFFFFFFFF, id="max-unsigned"),
    pytest.param("-2147483648", 0x80000000, id="min-signed"),
    pytest.param("AADSTS50126", "AADSTS50126", id="aadsts"),
    pytest.param("aadsts50126", "AADSTS50126", id="aadsts-lower"),
])
def test_normalize_forms(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text", [
    pytest.param("", id="empty"),
    pytest.param("   ", id="blank"),
    pytest.param("hello", id="word"),
    pytest.param("0x", id="bare-prefix"),
    pytest.param("0xCAA2000G", id="non-hex-digit"),
    pytest.param("0x1CAA20002", id="over-32-bits-hex"),
    pytest.param("4294967296", id="over-32-bits-decimal"),
    pytest.param("-2147483649", id="under-signed-32"),
    pytest.param("12.5", id="fraction"),
    pytest.param("AADSTS", id="aadsts-without-number"),
    pytest.param("AADSTSx1", id="aadsts-garbage"),
    pytest.param("CAA2", id="short-bare-hex"),
    pytest.param("0xCAA\n20002", id="newline-inside"),
    pytest.param("x" * 500, id="very-long"),
])
def test_garbage_raises_one_line_code_error(text):
    with pytest.raises(CodeError) as caught:
        normalize(text)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 200
    assert "not an error code" in message
    assert isinstance(caught.value, RemediateError)
    assert caught.value.exit_code is ExitCode.USAGE


@pytest.mark.parametrize("value, layer", [
    pytest.param(0xCAA10001, "ui", id="CAA1"),
    pytest.param(0xCAA20002, "oauth", id="CAA2"),
    pytest.param(0xCAA30197, "http", id="CAA3"),
    pytest.param(0xCAA5001C, "system", id="CAA5"),
    pytest.param(0xCAA70004, "urlmon", id="CAA7"),
    pytest.param(0x4AA70004, "urlmon", id="?AA7-other-first-digit"),
    pytest.param(0xCAA82EE2, "winhttp", id="CAA8"),
    pytest.param(0xCAA90018, "protocol", id="CAA9"),
    pytest.param(0xCAAB0001, "broker", id="CAAB"),
    pytest.param(0xCAA40001, "unknown", id="CAA4-undocumented"),
    pytest.param(0x80280009, "tpm", id="TPM-0x8028"),
    pytest.param(0x80290100, "tpm", id="TPM-0x8029"),
    pytest.param(0x80090016, "keystore", id="keystore-0x8009"),
    pytest.param(0x80070520, "hresult", id="win32-hresult"),
    pytest.param(0x00000102, "hresult", id="win32-status"),
    pytest.param(0x80004005, "hresult", id="generic-hresult"),
    pytest.param(0x12345678, "unknown", id="no-family"),
])
def test_decode_layer(value, layer):
    assert decode_layer(value) == layer


@pytest.mark.parametrize("value, detail", [
    pytest.param(0xCAA30197, "HTTP 407 (Proxy Authentication Required)", id="http-407"),
    pytest.param(0xCAA30194, "HTTP 404 (Not Found)", id="http-404"),
    pytest.param(0xCAA301A2, "HTTP 418", id="http-unnamed"),
    pytest.param(0xCAA82EE2, "WinHTTP error 12002 (ERROR_WINHTTP_TIMEOUT)", id="winhttp-12002"),
    pytest.param(0xCAA82F7D, "WinHTTP error 12157 (ERROR_WINHTTP_SECURE_CHANNEL_ERROR)", id="winhttp-12157"),
    pytest.param(0xCAA82F8F, "WinHTTP error 12175 (ERROR_WINHTTP_SECURE_FAILURE)", id="winhttp-12175"),
    pytest.param(0x80070520, "Win32 error 1312 (ERROR_NO_SUCH_LOGON_SESSION)", id="win32-1312"),
    pytest.param(0x00000102, "Win32 error 258 (WAIT_TIMEOUT)", id="win32-258"),
    pytest.param(0xCAA20002, None, id="oauth-has-no-low-bit-meaning"),
    pytest.param(0xCAA80001, None, id="winhttp-low-bits-not-12xxx"),
])
def test_decode_detail_low_bits(value, detail):
    assert decode_detail(value) == detail


def test_unknown_code_in_known_family_is_reported_unknown():
    info = explain("0xCAA5009D")
    assert info.known is False
    assert info.layer == "system"
    assert "unknown" in info.meaning.lower()
    assert info.checks  # the family still says where to look


def test_unknown_http_code_keeps_decoded_status():
    info = explain("0xCAA301F7")  # HTTP 503, not in the exact table
    assert info.known is False and "HTTP 503" in info.meaning and "unknown" in info.meaning.lower()


@pytest.mark.parametrize("text", ["AADSTS12345", "0x12345678", "0xCAA40001"])
def test_unknown_codes_never_guess(text):
    info = explain(text)
    assert info.known is False and "unknown" in info.meaning.lower()


# DOMAIN.md section 1 and the brief: every code named there is in the exact table.
NAMED_CODES = [
    "0xCAA10001", "0xCAA20002", "0xCAA20003", "0xCAA20004", "0xCAA20005", "0xCAA20009", "0xCAA2000C",
    "0xCAA30197", "0xCAA30194", "0xCAA5001C", "0xCAA70004", "0xCAA70007", "0xCAA7000A", "0xCAA70010",
    "0xCAA82EE2", "0xCAA82EE7", "0xCAA82EFD", "0xCAA82F05", "0xCAA82F7D", "0xCAA82F86", "0xCAA82F87",
    "0xCAA82F8F", "0xCAA82F94", "0xCAA90018", "0xCAA90003", "0xCAA90004", "0x80090016", "0x80070520",
    "0x00000102", "0x80070102",
    "AADSTS50126", "AADSTS50053", "AADSTS53003", "AADSTS135011", "AADSTS50155", "AADSTS50076",
    "AADSTS50079", "AADSTS50074", "AADSTS700016", "AADSTS50097", "AADSTS50058", "AADSTS90072",
    "AADSTS70043", "AADSTS700082", "AADSTS65001", "AADSTS50173", "AADSTS50055", "AADSTS53000",
    "AADSTS530003",
]


@pytest.mark.parametrize("code", NAMED_CODES)
def test_named_code_is_known(code):
    info = explain(code)
    assert info.known and info.code == code and info.checks
    assert info.meaning.isascii() and "\n" not in info.meaning and info.meaning.endswith(".")


@pytest.mark.parametrize("code, must_include", [
    pytest.param("0xCAA20002", {"aad_evidence", "wam_broker", "token_broker_accounts", "teams_cache",
                                "office_identity_overrides", "prt_state", "signin_advice"}, id="CAA20002"),
    pytest.param("0xCAA20003", {"clock_sync", "prt_state", "token_broker_accounts"}, id="invalid_grant"),
    pytest.param("0xCAA5001C", {"aad_evidence", "wam_broker"}, id="broker-wrapper"),
    pytest.param("0xCAA70004", {"network_endpoints", "user_proxy", "vpn_state"}, id="urlmon-network"),
    pytest.param("0xCAA82F05", {"clock_sync"}, id="cert-date-clock"),
    pytest.param("0xCAA82F7D", {"tls12_machine", "tls12_user", "network_endpoints"}, id="tls-12157"),
    pytest.param("0xCAA82F8F", {"tls12_machine", "tls12_user", "network_endpoints"}, id="tls-12175"),
    pytest.param("0xCAA90018", {"network_endpoints", "user_proxy", "account_conflict"}, id="realm"),
    pytest.param("0x80090016", {"token_broker_accounts"}, id="bad-keyset"),
    pytest.param("0x80070520", {"token_broker_accounts"}, id="no-logon-session"),
    pytest.param("0x80280009", {"token_broker_accounts", "device_registration"}, id="tpm"),
    pytest.param("AADSTS135011", {"device_registration", "signin_advice"}, id="device-disabled"),
    pytest.param("AADSTS50155", {"device_registration", "signin_advice"}, id="device-deleted"),
    pytest.param("AADSTS50097", {"device_registration", "signin_advice"}, id="device-auth-required"),
    pytest.param("AADSTS50126", {"signin_advice"}, id="bad-password"),
])
def test_code_maps_to_checks(code, must_include):
    assert must_include <= set(explain(code).checks)


def test_every_check_id_is_in_the_catalog():
    assert set(codes.CHECK_IDS) <= CATALOG
    assert list(codes.CHECK_IDS) == sorted(set(codes.CHECK_IDS))


@pytest.mark.parametrize("family", [*codes.FAMILIES, codes.AADSTS_FAMILY], ids=lambda f: f.pattern)
def test_every_family_has_checks_and_a_title(family):
    assert family.checks and set(family.checks) <= CATALOG
    assert family.layer in codes.LAYER_TITLES


def test_exact_table_agrees_with_family_decoding():
    for info in codes.all_codes():
        if info.value is not None:
            assert info.layer == decode_layer(info.value), info.code


def test_family_rules_match_in_order():
    """A script applying the rules top-down reaches the same layer as decode_layer."""
    rules = codes.family_rules_for_scripts()
    for value in (0xCAA5009D, 0xCAA40001, 0x80280009, 0x80090016, 0x80070005, 0x102, 0x80004005):
        first = next(r for r in rules if r["mask"] is not None and value & r["mask"] == r["match"])
        assert first["layer"] == decode_layer(value), hex(value)
    assert rules[-1]["prefix"] == "AADSTS"


def _sort_key(entry):
    return (0, entry["value"]) if entry["value"] is not None else (1, int(entry["code"][6:]))


def test_table_for_scripts_is_sorted_deterministic_and_plain():
    table = codes.table_for_scripts()
    assert table == sorted(table, key=_sort_key)
    assert json.dumps(table) == json.dumps(codes.table_for_scripts())
    assert json.dumps(codes.family_rules_for_scripts()) == json.dumps(codes.family_rules_for_scripts())
    assert json.dumps(table).isascii()
    assert len({e["code"] for e in table}) == len(table) == len(NAMED_CODES)
    first = table[0]
    assert set(first) >= {"code", "value", "layer", "checks"}
    by_code = {e["code"]: e for e in table}
    assert by_code["0xCAA20002"]["value"] == 3399614466
    assert by_code["0xCAA20002"]["signed"] == -895352830
    assert by_code["0xCAA20002"]["layer"] == "oauth"


@pytest.mark.parametrize("text, expected_lines", [
    pytest.param("0xCAA20002", ["0xCAA20002 = 3399614466 (unsigned) = -895352830 (signed)",
                                "layer:   oauth - "], id="hex-three-forms"),
    pytest.param("0xCAA30197", ["detail:  HTTP 407 (Proxy Authentication Required)"], id="http-detail"),
    pytest.param("0xCAA5009D", ["known:   no"], id="unknown"),
    pytest.param("AADSTS50126", ["AADSTS50126", "checks:  signin_advice"], id="aadsts"),
])
def test_format_explanation(text, expected_lines):
    out = codes.format_explanation(explain(text))
    for expected in expected_lines:
        assert any(line.startswith(expected) for line in out.splitlines()), out
    assert out.isascii()


def test_codes_module_does_not_import_click():
    source = open(codes.__file__, encoding="utf-8").read()
    assert "import click" not in source and "from click" not in source


@pytest.mark.parametrize(("text", "implicates"), [
    ("0xCAA20002", True), ("0xCAA20003", True), ("0x80090016", True), ("0x80070520", True),
    ("0xCAA90004", True), ("0xCAA5009D", True), ("0xCAAB0001", True),
    ("0xCAA5001C", False), ("0xCAA2000C", False), ("0xCAA10001", False), ("0xCAA10009", False),
    ("AADSTS50058", False), ("AADSTS50076", False), ("AADSTS50126", False),
    ("0xCAA70004", False), ("0xCAA82EE7", False), ("0xCAA30197", False), ("0x80070005", False),
], ids=lambda v: str(v))
def test_which_codes_implicate_user_state(text, implicates):
    """Evidence gates open only on these (DOMAIN.md s.9): no wrapper, no interaction_required, no network."""
    assert codes.implicates_user_state(codes.explain(text)) is implicates
    rules = codes.family_rules_for_scripts()
    value = codes.explain(text).value
    if value is not None and not any(r["code"] == text for r in codes.table_for_scripts()):
        first = next(r for r in rules if r["mask"] is not None and value & r["mask"] == r["match"])
        assert first["user_state"] is implicates
