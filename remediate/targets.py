"""Which hosts a run goes to: HOST arguments or an inventory, narrowed by ``--limit`` and ``--rerun-failed``.

``--rerun-failed RESULTS`` reads a results file written by ``remediate run --results`` (JSON Lines; runs
append, so a host's last record wins) and keeps the hosts whose last status is not a success
(``compliant``, ``fixed``, ``skipped``): errors, timeouts, interruptions, failed remediations and remaining
non-compliance. With an inventory it selects among the inventory's hosts (whose connection details apply);
alone, the failed hosts themselves are the targets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from remediate.errors import ConfigError, ExitCode
from remediate.hosts import Inventory, InventoryHost
from remediate.inventory import load_inventory, targets_from_args
from remediate.results import FLEET_STATUS


def failed_hosts(path: Path) -> list[str]:
    """Hosts whose last record in ``path`` did not succeed, in file order."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read results ({exc.__class__.__name__}: {exc})", file=str(path)) from None
    last: dict[str, tuple[str, str]] = {}  # lower-cased host -> (host as written, status)
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not a JSON line ({exc.msg})", file=f"{path}:{line_no}") from None
        if not isinstance(record, dict) or not isinstance(record.get("host"), str):
            raise ConfigError("not a host record of 'remediate run --results'", file=f"{path}:{line_no}")
        last.pop(record["host"].lower(), None)  # re-insert: file order of the last record
        last[record["host"].lower()] = (record["host"], _status(record))
    return [name for name, status in last.values() if not _succeeded(status)]


def _status(record: dict[str, Any]) -> str:
    return str(record.get("status") or "error")


def _succeeded(status: str) -> bool:
    return status in FLEET_STATUS and FLEET_STATUS[status][1] == ExitCode.OK


def select_targets(hosts: Sequence[str], inventory: Path | None, *, host_column: str | None = None,
                   limit: str | None = None, rerun_failed: Path | None = None) -> Inventory:
    """The hosts to run on, each with its own connection details; may be empty only after --rerun-failed."""
    failed = failed_hosts(rerun_failed) if rerun_failed else None
    if inventory is not None:
        chosen = load_inventory(inventory, host_column)
    elif hosts:
        chosen = targets_from_args(hosts)
    elif failed is not None:
        chosen = Inventory(tuple(InventoryHost(name) for name in failed))
    else:
        raise ConfigError("no hosts given")
    if host_column and inventory is None:
        raise ConfigError("--host-column needs --inventory FILE.csv")
    if limit:
        from remediate.hostpattern import select

        chosen = select(chosen, limit)
    if failed is not None:
        chosen = chosen.subset(failed)
    return chosen
