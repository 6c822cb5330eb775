"""The collect script in real PowerShell against the simulated Windows: the support bundle holds exactly the
documented files (remediate/collect_spec.py FILES, shown in docs/collect.md), and secrets planted on the machine
(TokenBroker files, cookies, Credential Manager files, quarantined tokens, tokens and passwords inside logs and
a proxy URL) never reach it."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from remediate import collect_spec
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

USER = "Users/alex/AppData"
TEAMS_LOGS = f"{USER}/Local/Packages/MSTeams_8wekyb3d8bbwe/LocalCache/Microsoft/MSTeams/Logs"
SECRETS = {
    f"{USER}/Local/Packages/Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy/AC/TokenBroker/Accounts/a1.tbres": "SECRET-TBRES-1",
    f"{USER}/Local/Packages/MSTeams_8wekyb3d8bbwe/LocalCache/Microsoft/MSTeams/EBWebView/Default/Network/Cookies":
        "SECRET-COOKIE-2",
    f"{USER}/Roaming/Microsoft/Credentials/DFBE70A7E5CC19A398EBF1B96859CE5D": "SECRET-CRED-3",
    f"{USER}/Roaming/Microsoft/Teams/Cookies": "SECRET-COOKIE-9",
}
TEAMS_LOG = ("2026-11-30T11:00:00Z normal line kept\r\n"
             "GET https://teams.microsoft.com/api?token=SECRET-QUERY-4&x=1\r\n"
             "Authorization: Bearer SECRETBEARER55555555\r\n"
             "jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJTRUNSRVQtSldUIn0.c2lnbmF0dXJlLXNlY3JldA seen\r\n"
             "login password=SECRET-PW-6 skypetoken: \"SECRET-SKYPE-8\"\r\n")
PROXY = "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
MARKERS = ("SECRET", "c2lnbmF0dXJl", "eyJzdWIi")


def documented(name: str) -> bool:
    """Whether a bundle entry matches a FILES row ('<x>' one path part, '*' any characters, '[...]' optional)."""
    for row, _ in collect_spec.FILES:
        for pattern in row.split(", "):
            regex = re.escape(pattern).replace(r"\*", "[^/]*")
            regex = re.sub(r"<\w+>", "[^/]+", regex)
            regex = re.sub(r"\\\[(.*?)\\\]", r"(?:\1)?", regex)
            if re.fullmatch(regex, name):
                return True
    return False


def bundle(sim: Sim, root: str) -> dict[str, bytes]:
    path = sim.tmp / "root" / root / "remediate" / "collect" / f"caa20002-{sim.package}.zip".replace(
        "caa20002", "bundle-caa20002")
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def plant(sim: Sim) -> None:
    for relative, text in SECRETS.items():
        sim.machine.file(relative, text)
    sim.machine.file(f"{TEAMS_LOGS}/MSTeams_2026-11-30_11-00-00.00.log", TEAMS_LOG)
    sim.machine.set_value(PROXY, "ProxyServer", "http://corp%5Cuser:SECRET-PROXYPW-7@proxy.corp:8080", "String")
    sim.machine.set_value(PROXY, "ProxyEnable", 1)


def assert_no_secret(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        for marker in MARKERS:
            assert marker.encode() not in data, f"{marker} reached {name}"


def test_user_bundle_has_the_documented_files_and_no_secret_even_after_tokens_were_quarantined(tmp_path):
    sim = Sim.user(tmp_path, check="token_broker_accounts", fix=True, evidence_mode="always")
    plant(sim)
    fixed = sim.remediate()
    assert fixed.finding("token_broker_accounts")["state"] == "fixed"  # SECRET-TBRES-1 now sits in quarantine
    run = sim.collect()
    assert (run.result["phase"], run.result["verdict"], run.exit_code) == ("collect", "compliant", 0)
    facts = run.finding("bundle")["facts"]
    files = bundle(sim, "Users/alex/AppData/Local")
    assert all(documented(name) for name in files), sorted(files)
    assert sorted(facts["files"]) == sorted(files)
    assert "teams/MSTeams_2026-11-30_11-00-00.00.log" in files and "remediate/log.txt" in files
    assert any(n.startswith("remediate/quarantine/") and n.endswith("/manifest.tsv") for n in files)
    assert_no_secret(files)
    teams = files["teams/MSTeams_2026-11-30_11-00-00.00.log"].decode("utf-8")
    assert "normal line kept" in teams and teams.count("<redacted>") >= 5
    assert "proxy.corp:8080" in files["proxy-wininet.txt"].decode("utf-8")
    assert not [c for c in run.changes() if c.startswith("registry.")]


def test_device_bundle_exports_the_event_logs_under_th_th(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "th-TH"
    plant(sim)
    sim.machine.add_event("Microsoft-Windows-AAD/Operational", 1098, ["0xCAA20002", "AADSTS50126"])
    sim.machine.add_event("Application", 23, ["Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy", "0x80070002"],
                          provider="Microsoft-Windows-AppModel-State")
    sim.machine.add_event("Application", 1000, ["someone else's crash"], provider="Application Error")
    run = sim.collect()
    assert run.result["verdict"] == "compliant", run.result
    files = bundle(sim, "ProgramData")
    assert all(documented(name) for name in files), sorted(files)
    assert {"dsregcmd-status.txt", "proxy-winhttp.txt", "tls-registry.txt", "events/aad-operational.evtx",
            "events/appmodel-state.evtx", "index.txt"} <= set(files)
    assert b"0xCAA20002" in files["events/aad-operational.evtx"]
    assert b"someone else" not in files["events/appmodel-state.evtx"]  # only the AppModel-State provider
    assert b"AzureAdJoined : YES" in files["dsregcmd-status.txt"]
    assert [e for e in run.journal if e.startswith("eventlog.export")]
    assert not [n for n in files if n.startswith("teams/")]  # SYSTEM has no Teams logs of its own
    assert_no_secret(files)


def test_the_size_cap_leaves_items_out_and_names_them(tmp_path, monkeypatch):
    monkeypatch.setattr(collect_spec, "MAX_ITEM_BYTES", 300)
    sim = Sim.user(tmp_path, check="teams_cache")
    sim.machine.file(f"{TEAMS_LOGS}/MSTeams_big.log", "x" * 2000 + "\r\nthe newest line\r\n")
    run = sim.collect()
    files = bundle(sim, "Users/alex/AppData/Local")
    big = files["teams/MSTeams_big.log"].decode("utf-8")
    assert len(big) <= 300 and big.endswith("the newest line\r\n")
    assert run.result["verdict"] == "compliant"

