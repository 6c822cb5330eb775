"""The results file of a fleet run: append-only JSON Lines, one strict-JSON record per host."""

from __future__ import annotations

import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from remediate.errors import ConfigError


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


def strict_json(value: Any, indent: int | None = None) -> str:
    """Strict JSON (RFC 8259), one line unless ``indent``: NaN and Infinity, which json.dumps would write as
    bare words that other parsers reject, become null."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(_finite(value), sort_keys=True, separators=separators, indent=indent, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def utc_stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
