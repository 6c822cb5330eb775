"""The undo script in real PowerShell against the simulated Windows: remediate, then undo, leaves the machine as
it was before (registry and files, compared in full); a second undo changes nothing; dry-run lists and keeps.

The tool's own folders (remediate\\ data: state, backups, quarantine, logs) are left out of the comparison: they
keep the record of what happened, by design. The backoff state is kept too (docs/undo.md says why).
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
WINHTTP = "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
IDENTITY = "HKCU:\\Software\\Microsoft\\Office\\16.0\\Common\\Identity"
ACCOUNTS = "AppData/Local/Packages/Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy/AC/TokenBroker/Accounts"
OWN = ("ProgramData/remediate/", "ProgramData/Microsoft/IntuneManagementExtension/Logs/")


def machine_state(sim: Sim) -> dict:
    """Registry (every key, its ancestors, every value) and files (path -> bytes) outside the tool's folders."""
    keys, values = set(), {}
    for key, data in sim.machine.state["registry"].items():
        parts = key.split("\\")
        keys.update("\\".join(parts[:i]).lower() for i in range(1, len(parts) + 1))
        for name, entry in data["values"].items():
            values[(key.lower(), name.lower())] = (entry["kind"], entry["value"])
    root = sim.tmp / "root"
    own = OWN + (f"Users/{sim.machine.user_name}/AppData/Local/remediate/",)
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
             and not p.relative_to(root).as_posix().startswith(own)}
    folders = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()
               and not p.relative_to(root).as_posix().startswith(own)}
    return {"keys": keys, "values": values, "files": files, "folders": folders}


def settle(sim: Sim) -> None:
    """Lay the machine's files out (the first run does it) so that 'before' sees them."""
    sim.detect(allowed=_allowed(sim))


def _allowed(sim: Sim) -> tuple[str, ...]:
    return (f"Users/{sim.machine.user_name}/",)


def test_device_remediate_then_undo_restores_registry_incl_keys_the_fix_created(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(SCHANNEL, "Enabled", 0)
    sim.machine.set_value(SCHANNEL, "DisabledByDefault", 0xFFFFFFFF)
    sim.machine.set_value(WINHTTP, "DefaultSecureProtocols", 0xA0)  # the WOW6432Node twin is absent
    settle(sim)
    before = machine_state(sim)
    fixed = sim.remediate()
    assert fixed.finding("tls12_machine")["state"] == "fixed"
    assert machine_state(sim) != before

    undone = sim.undo()
    assert undone.result["phase"] == "undo" and undone.result["verdict"] == "remediated", undone.result
    assert undone.exit_code == 0 and undone.finding("registry")["facts"]["restored"] >= 3
    assert machine_state(sim) == before
    assert sim.machine.value(SCHANNEL, "DisabledByDefault") == 0xFFFFFFFF

    again = sim.undo()
    assert again.result["verdict"] == "compliant" and again.finding("registry")["reason"] == "nothing_to_undo"
    assert not [c for c in again.changes() if c.startswith("registry.")]
    assert machine_state(sim) == before


def test_user_remediate_then_undo_puts_back_non_ascii_files_and_values_under_fi_fi(tmp_path):
    sim = Sim.user(tmp_path, check="token_broker_accounts", fix=True, evidence_mode="always")
    sim.machine.user_name = "jürgen.ålund"
    sim.machine.culture = "fi-FI"
    sim.machine.set_value(IDENTITY, "DisableAADWAM", 1)
    sim.machine.set_value(IDENTITY, "Version", 1)
    folder = f"Users/{sim.machine.user_name}/{ACCOUNTS}"
    sim.machine.file(f"{folder}/a7f3-Ääkköset.tbres", "token one")
    sim.machine.file(f"{folder}/บัญชี [2].tbacct", b"\x00\x01binary")
    settle(sim)
    before = machine_state(sim)
    fixed = sim.remediate(allowed=_allowed(sim))
    assert fixed.finding("token_broker_accounts")["state"] == "fixed", fixed.result
    assert fixed.finding("office_identity_overrides")["state"] == "fixed"
    assert not (tmp_path / "root" / folder / "a7f3-Ääkköset.tbres").exists()

    undone = sim.undo(allowed=_allowed(sim))
    assert undone.result["verdict"] == "remediated", undone.result
    assert undone.finding("quarantine")["facts"]["restored"] == 2
    assert machine_state(sim) == before
    assert sim.undo(allowed=_allowed(sim)).result["verdict"] == "compliant"


def test_dry_run_lists_what_would_go_back_and_changes_nothing(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(SCHANNEL, "Enabled", 0)
    sim.remediate()
    after_fix = machine_state(sim)
    shown = sim.undo(env={"REMEDIATE_DRY_RUN": "1"})
    assert shown.result["dry_run"] is True and shown.result["verdict"] == "non_compliant"
    assert shown.finding("registry")["reason"] == "dry_run" and shown.finding("registry")["facts"]["restored"] >= 1
    assert shown.finding("state")["facts"] == {"backoff": [], "needs_attention": []}
    assert not [c for c in shown.changes() if c.startswith("registry.")]
    assert machine_state(sim) == after_fix
    assert (tmp_path / "root/ProgramData/remediate/backup/tls12_machine.tsv").exists()


def test_a_recreated_file_is_never_overwritten_and_the_undo_says_failed(tmp_path):
    sim = Sim.user(tmp_path, check="token_broker_accounts", fix=True, evidence_mode="always")
    folder = f"Users/{sim.machine.user_name}/{ACCOUNTS}"
    sim.machine.file(f"{folder}/one.tbres", "old token")
    sim.remediate()
    recreated = tmp_path / "root" / folder / "one.tbres"
    recreated.write_text("new token", encoding="utf-8")  # the broker wrote a fresh one since
    undone = sim.undo()
    assert undone.result["verdict"] == "failed" and undone.exit_code == 1
    assert undone.finding("quarantine")["facts"]["failed"] == 1
    assert recreated.read_text(encoding="utf-8") == "new token"


def test_undo_of_a_user_package_as_system_is_skipped_and_changes_nothing(tmp_path):
    sim = Sim.user(tmp_path, account="system")
    run = sim.undo()
    assert (run.result["verdict"], run.result["reason"]) == ("skipped", "wrong_context")
    assert not [c for c in run.changes() if c.startswith("registry.")]



def test_keys_a_fix_created_are_deleted_when_empty_and_older_keys_stay(tmp_path):
    """A backup as Save-RmRegistryBackup writes it for a value whose key (and its parent) the fix created:
    kind 'NoKey:2'. The grandparent existed before (empty): it stays. A MultiString line cannot be restored."""
    sim = Sim.device(tmp_path)
    base = "HKLM:\\SOFTWARE\\Contoso"
    sim.machine.add_key(base)
    sim.machine.set_value(base + "\\Made\\ByFix", "Flag", 1)
    sim.machine.set_value(base + "\\Kept", "Note", "nachher", "String")
    backup = ("2026-11-30T11:00:00Z\t" + base + "\\Made\\ByFix\tFlag\tNoKey:2\t<absent>\r\n"
              "2026-11-30T11:00:01Z\t" + base + "\\Kept\tNote\tString\tvorher: Übergröße\r\n")
    sim.detect()  # the data root is created (and trusted) by a first run, as on a managed device
    folder = tmp_path / "root/ProgramData/remediate/backup"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "future_check.tsv").write_text(backup, encoding="utf-8")
    run = sim.undo()
    assert run.result["verdict"] == "remediated", run.result
    keys = {k.lower() for k in sim.machine.state["registry"]}
    assert "hklm\\software\\contoso\\made\\byfix" not in keys and "hklm\\software\\contoso\\made" not in keys
    assert "hklm\\software\\contoso" in keys
    assert sim.machine.value(base + "\\Kept", "Note") == "vorher: Übergröße"
    (folder / "multi.tsv").write_text("2026-11-30T11:00:00Z\t" + base + "\tList\tMultiString\ta b\r\n",
                                      encoding="utf-8")
    failed = sim.undo()
    assert failed.result["verdict"] == "failed" and failed.finding("registry")["facts"]["failed"] == 1
    assert (folder / "multi.tsv").exists()  # kept for the admin: nothing was marked undone
