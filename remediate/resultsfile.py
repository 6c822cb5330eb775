"""A fleet run's records: the results file (append-only JSON Lines, one strict-JSON record per host), the
run's result, its summary and its exit code.

Exit code of a fleet run (``fleet_exit_code``), highest wins, so the most serious condition is never hidden:

    HOST_ERROR (4)          some host gave no verdict (unreachable, auth, timeout, bad output, interrupted)
    REMEDIATION_FAILED (3)  a remediation ran and failed, or the verify detection still found the issue
    NON_COMPLIANT (1)       non-compliance remains (detect-only, dry-run, deferred)
    OK (0)                  every host compliant, fixed or skipped
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from remediate.errors import ConfigError, ExitCode
from remediate.output import strict_json
from remediate.results import FLEET_STATUS

STATUS_EXIT: dict[str, ExitCode] = {status: code for status, (_, code) in FLEET_STATUS.items()}


@dataclass
class FleetResult:
    records: list[dict[str, Any]]
    interrupted: bool = False
    not_started: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.INTERRUPTED if self.interrupted else fleet_exit_code(self.records)


def fleet_exit_code(records: Iterable[dict[str, Any]]) -> ExitCode:
    """The documented precedence (module docstring): the highest code among the hosts' statuses."""
    return max((STATUS_EXIT.get(r.get("status", "error"), ExitCode.HOST_ERROR) for r in records),
               default=ExitCode.OK)


def summarize(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    records = list(records)
    return {
        "hosts": len(records),
        "status": dict(sorted(Counter(r["status"] for r in records).items())),
        "errors": dict(sorted(Counter(r["error"]["code"] for r in records if r.get("error")).items())),
        "exit_code": int(fleet_exit_code(records)),
    }


class ResultsWriter:
    """Append-only JSON Lines, one ``write`` system call per record (O_APPEND: a record is never interleaved
    with another, and is in the file the moment ``write`` returns); ``sync`` makes it durable (fsync).

    Opened before any host is contacted: an unwritable path is a ConfigError (exit 5). A file whose last line
    is partial (an earlier run killed mid-write, a hand edit) first gets a newline, so no record is ever
    glued onto it. Records are strict JSON: a float that JSON cannot carry (NaN, Infinity) becomes null.
    """

    def __init__(self, path: Path | None) -> None:
        self._fd: int | None = None
        if path is None:
            return
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            size = os.fstat(self._fd).st_size
            if size and os.pread(self._fd, 1, size - 1) != b"\n":
                os.write(self._fd, b"\n")
        except OSError as exc:
            self.close()
            raise ConfigError(f"cannot write the results file ({exc.strerror or exc})", file=str(path)) from None

    def write(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            return
        data = (strict_json(record) + "\n").encode("utf-8")
        while data:
            data = data[os.write(self._fd, data):]

    def sync(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            except OSError:  # e.g. a pipe or a file system without fsync: the data is written all the same
                pass

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def utc_stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
