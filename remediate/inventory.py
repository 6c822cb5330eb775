"""Host lists as admins have them: text, CSV, Ansible INI, Ansible YAML and ``ansible-inventory --list`` JSON.

Every name is validated up front so a typo fails the run before any host is touched, with ``file:line`` where
the format has lines. A host may carry its own connection details: ``host:5986`` / ``[::1]:5986`` in text and
CSV; ``ansible_host``, ``ansible_port``, ``ansible_connection`` (psrp or winrm), ``ansible_psrp_auth`` /
``ansible_winrm_transport`` and ``ansible_psrp_protocol`` / ``ansible_winrm_scheme`` in Ansible inventories.
Files are read as UTF-8 (a BOM allowed) or as UTF-16 when they start with its BOM: PowerShell 5.1's
``Out-File`` and ``>`` write UTF-16LE with a BOM by default. The Ansible formats live in ``ansible_inventory``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from remediate import ansible_inventory
from remediate.errors import ConfigError
from remediate.hosts import (Inventory, InventoryHost, dedupe, dedupe_hosts, host_problem,  # noqa: F401
                             parse_target)

def targets_from_args(values: Iterable[str], source: str = "command line") -> Inventory:
    """Hosts typed on the command line, each optionally with ``:port``."""
    hosts = []
    for value in values:
        try:
            name, port = parse_target(value)
        except ValueError as exc:
            raise ConfigError(str(exc), file=source) from None
        hosts.append(InventoryHost(name, port=port))
    return Inventory(dedupe_hosts(hosts))


def validate_hosts(hosts: Iterable[str], source: str = "command line") -> list[str]:
    return targets_from_args(hosts, source).names


def read_text(path: Path) -> str:
    """The file's text: UTF-16 when it starts with a UTF-16 BOM (PowerShell 5.1's default), else UTF-8."""
    try:
        raw = Path(path).read_bytes()
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read inventory ({exc.__class__.__name__}: {exc})", file=str(path)) from None


def load_inventory(path: Path, host_column: str | None = None) -> Inventory:
    """Hosts from ``path`` in whichever format it is, validated and deduplicated."""
    text = read_text(path)
    kind = detect_format(path, text)
    if kind == "json":
        inventory = ansible_inventory.from_json(_json(text, path), str(path))
    elif kind == "yaml":
        inventory = ansible_inventory.from_yaml(text, str(path))
    elif kind == "ini":
        inventory = ansible_inventory.from_ini(text, str(path))
    else:
        rows = _csv_rows(text, str(path), host_column) if kind == "csv" else _text_rows(text)
        inventory = Inventory(dedupe_hosts(_row_hosts(rows, str(path))))
    if kind != "csv" and host_column:
        raise ConfigError("--host-column is for CSV inventories", file=str(path))
    if not inventory.hosts:
        raise ConfigError("no hosts in the inventory", file=str(path))
    return inventory


def read_inventory(path: Path) -> list[str]:
    """Host names from ``path`` (any format ``load_inventory`` reads). Raises ConfigError naming the file."""
    return load_inventory(path).names


def detect_format(path: Path, text: str) -> str:
    """json | yaml | ini | csv | text, by suffix first, then by the first meaningful line."""
    suffix = Path(path).suffix.lower()
    by_suffix = {".json": "json", ".yml": "yaml", ".yaml": "yaml", ".ini": "ini", ".csv": "csv"}
    if suffix in by_suffix:
        return by_suffix[suffix]
    first = next((line.strip() for line in text.splitlines()
                  if line.strip() and not line.lstrip().startswith(("#", ";"))), "")
    if first.startswith("{"):
        return "json"
    if first == "---" or re.match(r"^[A-Za-z0-9_-]+:\s*$", first):
        return "yaml"
    if ansible_inventory.SECTION.match(first) or (" ansible_" in first and "=" in first):
        return "ini"
    return "csv" if "," in first else "text"


def _json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON ({exc.msg})", file=f"{path}:{exc.lineno}") from None


def _row_hosts(rows: list[tuple[int, str]], file: str) -> list[InventoryHost]:
    hosts = []
    for line_no, value in rows:
        try:
            name, port = parse_target(value)
        except ValueError as exc:
            raise ConfigError(str(exc), file=f"{file}:{line_no}") from None
        hosts.append(InventoryHost(name, port=port))
    return hosts


def _text_rows(text: str) -> list[tuple[int, str]]:
    rows = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if value:
            rows.append((line_no, value))
    return rows


def _csv_rows(text: str, file: str, host_column: str | None) -> list[tuple[int, str]]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.lstrip().startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ConfigError("empty CSV inventory", file=file) from None
    wanted = (host_column or "host").strip().lower()
    if wanted not in header:
        hint = "" if host_column else " (or name the column with --host-column)"
        raise ConfigError(f"CSV inventory needs a {wanted!r} column{hint} (found: {', '.join(header) or 'none'})",
                          file=f"{file}:{lines[0][0]}")
    column = header.index(wanted)
    rows = []
    for (line_no, _), row in zip(lines[1:], reader):
        value = row[column].strip() if column < len(row) else ""
        if value or any(cell.strip() for cell in row):
            rows.append((line_no, value))
    return rows
