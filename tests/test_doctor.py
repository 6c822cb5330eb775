"""``remediate doctor`` through click's CliRunner: hosts on the loopback WS-Man server, Graph on the emulator,
certificates made on the spot; and the pieces it is made of, table-driven."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)
from test_intune_signing import make_code_signing_cert

from remediate import doctor
from remediate.cli import cli
from remediate.intune import build, permissions
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import PASSWORD, USER, loopback  # noqa: F401  (fixture)

FULL = {"ps_version": "5.1.19041.4894", "edition": "Desktop", "language_mode": "FullLanguage", "is64": True,
        "computer": "PC-0042", "admin": True}


def answers(facts: dict) -> HostProgram:
    def respond(script: str, state: dict) -> Action:
        assert "$ExecutionContext.SessionState.LanguageMode" in script  # the shipped probe, loaded by name
        return Action(output=(json.dumps(facts),), exit_code=0)

    return HostProgram(script=respond)


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["doctor", *args], env={"REMEDIATE_PASSWORD": PASSWORD, **(env or {})},
                              catch_exceptions=False)


def host_args(server) -> list[str]:
    return ["--port", str(server.port), "--auth", "ntlm", "--username", USER, "--no-ssl", "--skip-graph"]


def test_healthy_host_is_all_ok_and_json_lists_every_finding(loopback):  # noqa: F811
    host = loopback.add_host(answers(FULL))
    res = invoke(host, *host_args(loopback), "--output", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["result"]["findings"]
    mine = [r for r in rows if r["area"] == "host"]
    assert [r["detail"] for r in mine] == ["reachable, credentials accepted",
                                           "PowerShell 5.1.19041.4894 (Desktop)", "FullLanguage"]
    assert {r["area"] for r in rows} >= {"python", "library", "signing", "host"}


@pytest.mark.parametrize(("program", "code", "expected"), [
    (answers({**FULL, "language_mode": "ConstrainedLanguage"}), 4, "language mode ConstrainedLanguage"),
    (answers({**FULL, "ps_version": "4.0"}), 4, "older than 5.1"),
    (answers({**FULL, "admin": False}), 1, "not an administrator"),
    (HostProgram(auth_fail=True), 4, "auth_failed"),
    (HostProgram(script=lambda s, st: Action(output=("Welcome to the jungle",), exit_code=0)), 4, "no answer"),
], ids=["constrained-language", "powershell-4", "not-admin", "wrong-password", "foreign-output"])
def test_each_host_problem_is_one_line_with_advice_and_its_exit_code(loopback, program, code, expected):  # noqa: F811
    host = loopback.add_host(program)
    res = invoke(host, *host_args(loopback))
    assert res.exit_code == code, res.output
    (line,) = [x for x in res.stdout.splitlines() if expected in x]
    assert line.startswith(("ERROR", "WARNING")) and " -> " in line
    assert PASSWORD not in res.stdout + res.stderr


def test_unreachable_host_names_what_to_do():
    res = invoke("127.0.0.1", "--port", "9", "--no-ssl", "--auth", "ntlm", "--username", USER, "--skip-graph",
                 "--timeout", "5")
    assert res.exit_code == 4
    assert any(x.startswith("ERROR") and "127.0.0.1" in x and " -> " in x for x in res.stdout.splitlines())


@pytest.fixture
def online(graph, monkeypatch):  # noqa: F811
    monkeypatch.setenv(build.GRAPH_URL_ENV, graph.base_url)
    monkeypatch.setattr(build, "token_provider", lambda settings: (lambda: TOKEN))
    return graph


GRAPH_ENV = {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"}


def test_graph_reads_are_probed_and_writes_of_an_opaque_token_are_unknown(online):
    """The emulator's token is opaque (no claims): reads are tried, a write permission cannot be told."""
    online.scopes = {permissions.SCRIPTS_READ}
    res = invoke("--output", "json", env=GRAPH_ENV)
    rows = {r["subject"]: r for r in json.loads(res.stdout)["result"]["findings"] if r["area"] == "graph"}
    assert rows["remediate results"]["level"] == "ok"
    assert rows["remediate publish"]["level"] == "warning"
    assert "cannot tell" in rows["remediate publish"]["detail"]
    assert permissions.SCRIPTS_WRITE in rows["remediate publish"]["detail"]
    assert rows["remediate trigger --dry-run"]["level"] == "error"  # managed devices could not be read
    assert res.exit_code == 6


TAGS_ROW = "remediate publish (package declares [intune] scope_tags)"


class Pkg:  # what the doctor reads of a package
    def __init__(self, pkg_id: str, *tags: str) -> None:
        self.id, self.scope_tags = pkg_id, tags


@pytest.mark.parametrize(("packages", "scopes", "level", "words"), [
    ([Pkg("a"), Pkg("b")], set(), "ok", "not needed: no package declares [intune] scope_tags"),
    ([Pkg("a"), Pkg("b", "Kiosks")], set(), "error", "missing DeviceManagementRBAC.Read.All"),
    ([Pkg("b", "Kiosks")], {permissions.SCOPE_TAGS_READ}, "ok", "DeviceManagementRBAC.Read.All"),
    ([Pkg("b", "Kiosks")], {"DeviceManagementConfiguration.Read.All"}, "ok", "DeviceManagementRBAC.Read.All"),
    (None, set(), "warning", "the packages could not be read; publish needs DeviceManagementRBAC.Read.All"),
    (None, {permissions.SCOPE_TAGS_READ}, "ok", "DeviceManagementRBAC.Read.All"),
], ids=["none-declare", "one-declares-missing", "one-declares-granted", "configuration-read-can-list-tags",
        "packages-unknown-missing", "packages-unknown-granted"])
def test_scope_tag_permission_is_checked_only_when_a_package_declares_tags(graph, packages, scopes, level,
                                                                           words):  # noqa: F811
    graph.scopes = {permissions.SCRIPTS_WRITE} | scopes
    client = build.graph_client(build.AuthSettings(), graph.base_url, token=lambda: TOKEN)
    rows = {f.subject.split(":")[0]: f for f in doctor.check_graph(client, TOKEN, packages)}
    assert (rows[TAGS_ROW].level, words in rows[TAGS_ROW].detail) == (level, True), rows[TAGS_ROW]
    if packages and any(p.scope_tags for p in packages):
        assert [f.subject for f in rows.values() if f.subject.startswith(TAGS_ROW)] == [f"{TAGS_ROW}: b"]


def test_doctor_command_reads_the_packages_for_the_scope_tag_row(online, tmp_path):
    folder = tmp_path / "packaging"
    folder.mkdir()
    text = (Path(__file__).resolve().parents[1] / "remediate/packaging/caa20002-user.toml").read_text()
    (folder / "caa20002-user.toml").write_text(text + '\n[intune]\nscope_tags = ["Kiosks"]\n')
    (tmp_path / "site.toml").write_text('packaging_dir = "packaging"\n')
    online.scopes = {permissions.SCRIPTS_WRITE, permissions.DEVICES_READ}
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "site.toml"), "doctor", "--output", "json"],
                             env=GRAPH_ENV, catch_exceptions=False)
    rows = {r["subject"]: r for r in json.loads(res.stdout)["result"]["findings"] if r["area"] == "graph"}
    assert rows[f"{TAGS_ROW}: caa20002-user"]["level"] == "error" and res.exit_code == 6


def test_graph_without_credentials_is_a_warning_not_an_error(monkeypatch):
    for var in GRAPH_ENV:
        monkeypatch.delenv(var, raising=False)
    res = invoke()
    assert "WARNING graph" in res.stdout and res.exit_code in (0, 1)


def jwt(claims: dict) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{body}.sig"


@pytest.mark.parametrize(("claims", "granted"), [
    ({"roles": [permissions.SCRIPTS_WRITE]}, {permissions.SCRIPTS_WRITE, permissions.SCRIPTS_READ}),
    ({"scp": f"{permissions.DEVICES_READ} openid"}, {permissions.DEVICES_READ, "openid"}),
    ({}, set()),
], ids=["app-roles-readwrite-implies-read", "delegated-scp", "none"])
def test_permissions_from_token_claims(claims, granted):
    assert doctor.granted_from_claims(doctor.token_claims(jwt(claims))) == granted


def test_opaque_token_has_no_claims():
    assert doctor.token_claims(TOKEN) is None


def test_certificate_checks(tmp_path):
    cert, _key = make_code_signing_cert(tmp_path)
    (good,) = doctor.check_certificate(cert, None, now=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    assert good.level == "ok" and "code signing" in good.detail
    (late,) = doctor.check_certificate(cert, None, now=dt.datetime(2040, 1, 1, tzinfo=dt.timezone.utc))
    assert late.level == "error" and "expired" in late.detail
    (soon,) = doctor.check_certificate(cert, None, now=dt.datetime(2033, 12, 20, tzinfo=dt.timezone.utc))
    assert soon.level == "warning"
    garbage = tmp_path / "x.pfx"
    garbage.write_bytes(b"not a pfx")
    assert doctor.check_certificate(garbage, "pw")[0].exit_code == 5


def test_missing_library_and_old_python_are_errors():
    def version_of(name: str) -> str:
        if name == "pypsrp":
            raise doctor.metadata.PackageNotFoundError(name)
        return "1.0"

    missing = [f for f in doctor.check_libraries(version_of) if f.level == "error"]
    assert [f.subject for f in missing] == ["pypsrp"] and missing[0].exit_code == 5
    assert doctor.check_python((3, 9, 1))[0].level == "error"


@pytest.mark.parametrize(("levels", "code"), [
    ([("ok", 0)], 0), ([("ok", 0), ("warning", 1)], 1), ([("warning", 1), ("error", 4), ("error", 6)], 6),
], ids=["all-ok", "warning", "worst-error-wins"])
def test_exit_code_is_the_worst_finding(levels, code):
    findings = [doctor.Finding("x", "y", level, "d", "a", c) for level, c in levels]
    assert doctor.worst(findings) == code
