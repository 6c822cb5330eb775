"""Escaping: the only way a Python value reaches PowerShell source.

Every configuration value is rendered through one of these functions. Strings become single-quoted
literals (no expansion of ``$`` or backticks; ``'`` doubled). PowerShell also treats the typographic quotes
U+2018..U+201B as single quotes, and our scripts must be pure ASCII (no BOM: Windows PowerShell 5.1 would
read UTF-8 as ANSI), so every character outside printable ASCII is written as ``[char]0xNNNN`` and joined
with ``+``. Numbers and booleans are type-checked, never formatted from arbitrary input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from remediate.errors import RenderError

_PRINTABLE = {chr(c) for c in range(0x20, 0x7F)}


def ps_str(value: Any) -> str:
    """A PowerShell expression whose value is exactly ``value`` (a str)."""
    if not isinstance(value, str):
        raise RenderError(f"expected a string for a PowerShell string literal, got {type(value).__name__}")
    parts: list[str] = []
    run: list[str] = []
    for ch in value:
        if ch in _PRINTABLE:
            run.append("''" if ch == "'" else ch)
            continue
        if run:
            parts.append("'" + "".join(run) + "'")
            run = []
        # [char] is one UTF-16 code unit: characters beyond the BMP become a surrogate pair.
        units = ch.encode("utf-16-le")
        for i in range(0, len(units), 2):
            parts.append(f"[char]0x{int.from_bytes(units[i:i + 2], 'little'):04X}")
    if run or not parts:
        parts.append("'" + "".join(run) + "'")
    if len(parts) == 1:
        return parts[0]
    if parts[0].startswith("[char]"):
        parts.insert(0, "''")  # the left operand decides the type of +: start with a string
    return "(" + " + ".join(parts) + ")"


def ps_int(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RenderError(f"expected an integer, got {value!r}")
    return str(value)


def ps_float(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RenderError(f"expected a finite number, got {value!r}")
    return repr(float(value))


def ps_bool(value: Any) -> str:
    if not isinstance(value, bool):
        raise RenderError(f"expected a boolean, got {value!r}")
    return "$true" if value else "$false"


def ps_value(value: Any, indent: int = 0) -> str:
    """A PowerShell literal for str/int/float/bool/None, lists (``@(...)``) and dicts (``[ordered]@{...}``).

    Dict keys keep their insertion order (Python dicts are ordered), so rendering is deterministic.
    """
    if value is None:
        return "$null"
    if isinstance(value, bool):
        return ps_bool(value)
    if isinstance(value, int):
        return ps_int(value)
    if isinstance(value, float):
        return ps_float(value)
    if isinstance(value, str):
        return ps_str(value)
    pad = "    " * (indent + 1)
    end = "    " * indent
    if isinstance(value, Mapping):
        if not value:
            return "[ordered]@{}"
        lines = [f"{pad}{ps_str(str(k))} = {ps_value(v, indent + 1)}" for k, v in value.items()]
        return "[ordered]@{\n" + "\n".join(lines) + f"\n{end}}}"
    if isinstance(value, Sequence):
        if not value:
            return "@()"
        lines = [f"{pad}{ps_value(v, indent + 1)}" for v in value]
        return "@(\n" + ",\n".join(lines) + f"\n{end})"
    raise RenderError(f"cannot render {type(value).__name__} as a PowerShell literal")
