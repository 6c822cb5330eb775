"""Load a captured `reg query` listing (tests/simwin/samples/registry) into a simulated machine's registry.

`reg query` prints a key line (HKEY_CURRENT_USER\\...) and then one line per value, four spaces apart:
name, REG_ type, data (DWORD/QWORD as 0x hex, binary as hex digits). Prompts and other lines are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

from simwin.machine import Machine

HIVES = {"HKEY_CURRENT_USER": "HKCU", "HKEY_LOCAL_MACHINE": "HKLM", "HKCU": "HKCU", "HKLM": "HKLM"}
VALUE_LINE = re.compile(r"^ {4}(?P<name>\S.*?) {4}(?P<kind>REG_[A-Z_]+)(?: {4}(?P<data>.*))?$")


def _kind_and_value(kind: str, data: str):
    if kind == "REG_DWORD":
        return "DWord", int(data, 16)
    if kind == "REG_QWORD":
        return "QWord", int(data, 16)
    if kind == "REG_BINARY":
        return "Binary", bytes.fromhex(data)
    if kind == "REG_MULTI_SZ":
        return "MultiString", [part for part in data.split("\\0") if part]
    return ("ExpandString" if kind == "REG_EXPAND_SZ" else "String"), data


def load_reg_query(machine: Machine, sample: Path) -> int:
    """Set every value of the listing on ``machine``; returns how many were set."""
    key, count = None, 0
    for line in sample.read_text(encoding="utf-8").splitlines():
        if line.startswith("HKEY_"):
            hive, _, rest = line.strip().partition("\\")
            key = f"{HIVES[hive]}:\\{rest}"
            continue
        match = VALUE_LINE.match(line.rstrip())
        if key and match:
            kind, value = _kind_and_value(match["kind"], match["data"] or "")
            machine.set_value(key, match["name"], value, kind)
            count += 1
    return count
