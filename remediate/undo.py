"""``remediate undo`` and ``remediate state show``: run a package's undo script on hosts, concurrently.

The undo script (``render.render_maintenance_script(package, Phase.UNDO)``, one per package, committed under
detection_scripts/<package>/undo.ps1) puts back the registry values in ``remediate\\backup\\<check>.tsv`` and the
items in ``remediate\\quarantine\\<set>\\manifest.tsv``, newest first; run again it changes nothing. With
dry-run it changes nothing and lists what would go back, and which checks the backoff state holds back: that is
``state show``. A user package runs in the signed-in user's session through the interactive-user launcher,
as ``remediate run`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from remediate.errors import ExitCode, RunnerError
from remediate.output import Result
from remediate.results import Phase, ResultParseError, parse_result_line
from remediate.runners import REMOTE, make_runner
from remediate.runners.base import ConnectionSettings, Runner

RunnerFactory = Callable[[ConnectionSettings], Runner]


def host_script(script: str, *, package_id: str, run_as: str, transport: str, phase: Phase,
                timeout_s: float) -> str:
    """The script as sent: a user package over WinRM/PSRP goes through the interactive-user launcher."""
    if run_as == "user" and transport in REMOTE:
        from remediate.launcher import wrap_for_interactive_user

        return wrap_for_interactive_user(script, package=package_id, phase=phase, timeout_s=timeout_s)
    return script


def run_on_hosts(hosts: Iterable[str], settings: ConnectionSettings, script: str, *, concurrency: int,
                 timeout_s: float, runner_factory: RunnerFactory = make_runner) -> list[dict[str, Any]]:
    """Run one maintenance script on every host, ``concurrency`` at a time; one record per host, in host order:
    ``{"host", "exit_code", "result": dict | None, "stdout", "error": None | {"code", "message"}}``."""

    def one(host: str) -> dict[str, Any]:
        record: dict[str, Any] = {"host": host, "exit_code": None, "result": None, "stdout": "", "error": None}
        try:
            with runner_factory(settings.with_host(host)) as runner:
                outcome = runner.run_script(script, timeout_s=timeout_s)
            record["exit_code"], record["stdout"] = outcome.exit_code, outcome.stdout
            record["result"] = parse_result_line(outcome.stdout).data
        except RunnerError as err:
            record["error"] = {"code": err.code, "message": str(err)}
        except ResultParseError as exc:
            record["error"] = {"code": "bad_output", "message": f"{host}: {exc}"}
        return record

    host_list = list(hosts)
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(host_list) or 1))) as pool:
        return list(pool.map(one, host_list))


def _finding(result: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next((f for f in result.get("findings") or [] if f.get("id") == check_id), {})


def summarize(record: dict[str, Any]) -> dict[str, Any]:
    """One host's undo (or show) answer in plain terms: verdict, counts, held-back checks."""
    row: dict[str, Any] = {"host": record["host"], "error": record["error"]}
    result = record["result"] or {}
    row.update(verdict=result.get("verdict"), reason=result.get("reason") or "")
    for part in ("registry", "quarantine", "state"):
        row[part] = _finding(result, part).get("facts") or {}
    return row


def exit_code(rows: list[dict[str, Any]]) -> ExitCode:
    """4 when a host errored, 3 when something could not be put back, else 0."""
    if any(r["error"] or r["verdict"] == "error" for r in rows):
        return ExitCode.HOST_ERROR
    if any(r["verdict"] == "failed" for r in rows):
        return ExitCode.REMEDIATION_FAILED
    return ExitCode.OK


def _line(row: dict[str, Any], dry_run: bool) -> str:
    if row["error"]:
        return f"{row['host']}: error {row['error']['code']}: {row['error']['message']}"
    reg, quar, state = row["registry"], row["quarantine"], row["state"]
    verb = "would put back" if dry_run else "put back"
    text = (f"{row['host']}: {row['verdict']}{' (' + row['reason'] + ')' if row['reason'] else ''}; {verb} "
            f"{reg.get('restored', 0)} registry value(s) from {', '.join(reg.get('checks') or []) or 'no backup'}, "
            f"{quar.get('restored', 0)} quarantined item(s) from {quar.get('sets', 0)} set(s)")
    if reg.get("failed") or quar.get("failed"):
        text += f"; {reg.get('failed', 0) + quar.get('failed', 0)} could not go back (see the host's log)"
    held = [f"{gate}: {', '.join(ids)}" for gate, ids in sorted(state.items()) if ids]
    return text + ("; held back " + "; ".join(held) if held else "")


def undo_result(records: list[dict[str, Any]], *, dry_run: bool) -> Result:
    """``remediate undo`` (or, with ``dry_run``, ``remediate state show``): one line per host."""
    rows = [summarize(r) for r in records]
    command = "state show" if dry_run else "undo"
    return Result(command, rows, [_line(r, dry_run) for r in rows], rows=rows, exit_code=exit_code(rows))
