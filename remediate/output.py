"""One result model and one renderer for every command (pipx's pattern).

A command returns a ``Result``; the library builds it (``*_result`` functions next to the data they show) and
never prints. ``render`` turns it into the one output format asked for:

* ``json``: the versioned envelope, the same four keys for every command (``ENVELOPE_KEYS``; a contract test
  pins them): ``{"schema_version": 1, "command": "run", "exit_code": 0, "result": ...}``;
* ``jsonl``: one compact JSON object per line, the result's ``rows`` (for ``run``: one record per host);
* ``table`` / ``text``: the human form; any other name: a pre-rendered form the result carries (``csv``).

Only ``remediate.cli`` writes the rendered text to stdout; ``notes`` go to stderr. Imports nothing heavy: the
CLI's cold start goes through here.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
import math
from collections.abc import Mapping, Sequence
from typing import Any

ENVELOPE_VERSION = 1
ENVELOPE_KEYS = ("schema_version", "command", "exit_code", "result")
HUMAN = ("table", "text")


class Result:
    """What a command produced: the data (JSON-ready), its human text, and the exit code."""

    __slots__ = ("command", "data", "text", "rows", "exit_code", "notes", "forms")

    def __init__(self, command: str, data: Any, text: str | Sequence[str], *, rows: Sequence[Any] | None = None,
                 exit_code: int = 0, notes: Sequence[str] = (), forms: Mapping[str, str] | None = None) -> None:
        self.command = command
        self.data = data
        self.text = text if isinstance(text, str) else "".join(f"{line}\n" for line in text)
        self.rows = list(rows) if rows is not None else [data]
        self.exit_code = int(exit_code)
        self.notes = tuple(notes)  # one-line messages for stderr (warnings, an interruption)
        self.forms = dict(forms or {})  # other pre-rendered outputs by format name (csv)


def envelope(result: Result) -> dict[str, Any]:
    return {"schema_version": ENVELOPE_VERSION, "command": result.command, "exit_code": result.exit_code,
            "result": result.data}


def render(result: Result, fmt: str) -> str:
    """The text for stdout in format ``fmt``."""
    if fmt == "json":
        return strict_json(envelope(result), indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(strict_json(row) + "\n" for row in result.rows)
    if fmt in HUMAN:
        return result.text
    return result.forms[fmt]


def terminal_width() -> int | None:
    """The width tables wrap to: the terminal's when stdout is one (or ``COLUMNS``), else None (no wrapping,
    so a pipe or a file gets every character of every cell on one line)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size((120, 24)).columns
    return None


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None) -> list[str]:
    """Aligned columns, one space apart. With ``width``, the widest columns shrink until the table fits and
    their cells wrap onto more lines: nothing is cut."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    floor = [max(4, min(len(h), w)) for h, w in zip(headers, widths)]
    while width and sum(widths) + len(widths) - 1 > width:
        shrinkable = [i for i, w in enumerate(widths) if w > floor[i]]
        if not shrinkable:
            break
        widths[max(shrinkable, key=lambda i: widths[i])] -= 1
    lines = []
    for row in [list(headers), *cells]:
        parts = [textwrap.wrap(cell, w, break_on_hyphens=False) or [""] for cell, w in zip(row, widths)]
        for n in range(max(len(p) for p in parts)):
            lines.append(" ".join((p[n] if n < len(p) else "").ljust(w) for p, w in zip(parts, widths)).rstrip())
    return lines


def strict_json(value: Any, indent: int | None = None) -> str:
    """Strict JSON (RFC 8259), compact on one line unless ``indent``, keys sorted: NaN and Infinity, which
    json.dumps would write as bare words that other parsers reject, become null."""
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
