"""Host lists: a text file (one host per line, ``#`` comments) or a CSV with a ``host`` column.

Every name is validated up front so a typo fails the run before any host is touched, with ``file:line``.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from collections.abc import Iterable
from pathlib import Path

from remediate.errors import ConfigError

# DNS labels (RFC 1123) plus "_", which AD computer names sometimes carry; 253 characters in all.
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def host_problem(value: str) -> str | None:
    """Why ``value`` is not a usable host name or address; None when it is fine."""
    if not value:
        return "empty host name"
    try:
        ipaddress.ip_address(value.strip("[]"))
        return None
    except ValueError:
        pass
    if len(value) > 253:
        return "host name longer than 253 characters"
    labels = value.rstrip(".").split(".")
    bad = next((label for label in labels if not _LABEL.match(label)), None)
    if bad is not None:
        return f"{value!r} is not a valid host name (bad part {bad!r})"
    if all(label.isdigit() for label in labels):
        return f"{value!r} looks like an incomplete IP address"
    return None


def dedupe(hosts: Iterable[str]) -> list[str]:
    """Hosts in first-seen order, duplicates removed case-insensitively (PC-1 and pc-1 are one machine), IP
    addresses by value (::1, [::1] and 0:0:0:0:0:0:0:1 are one machine)."""
    seen: set[str] = set()
    out: list[str] = []
    for host in hosts:
        key = _host_key(host)
        if key and key not in seen:
            seen.add(key)
            out.append(host.strip())
    return out


def _host_key(host: str) -> str:
    """One spelling per machine: names case-folded without the root dot; IP addresses (IPv6 bare or in
    brackets, any zero compression) in their compressed form."""
    name = host.strip()
    try:
        return ipaddress.ip_address(name.removeprefix("[").removesuffix("]")).compressed
    except ValueError:
        return name.rstrip(".").lower()


def validate_hosts(hosts: Iterable[str], source: str = "command line") -> list[str]:
    for host in hosts:
        problem = host_problem(host)
        if problem:
            raise ConfigError(problem, file=source)
    return dedupe(hosts)


def read_inventory(path: Path) -> list[str]:
    """Hosts from ``path``, validated and deduplicated. Raises ConfigError naming ``file:line``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read inventory ({exc.__class__.__name__}: {exc})", file=str(path)) from None
    rows = _csv_rows(text, str(path)) if _looks_like_csv(path, text) else _text_rows(text)
    hosts: list[str] = []
    for line_no, value in rows:
        problem = host_problem(value)
        if problem:
            raise ConfigError(problem, file=f"{path}:{line_no}")
        hosts.append(value)
    if not hosts:
        raise ConfigError("no hosts in the inventory", file=str(path))
    return dedupe(hosts)


def _looks_like_csv(path: Path, text: str) -> bool:
    if Path(path).suffix.lower() == ".csv":
        return True
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    return "," in first


def _text_rows(text: str) -> list[tuple[int, str]]:
    rows = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if value:
            rows.append((line_no, value))
    return rows


def _csv_rows(text: str, file: str) -> list[tuple[int, str]]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.lstrip().startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ConfigError("empty CSV inventory", file=file) from None
    if "host" not in header:
        raise ConfigError(f"CSV inventory needs a 'host' column (found: {', '.join(header) or 'none'})",
                          file=f"{file}:{lines[0][0]}")
    column = header.index("host")
    rows = []
    for (line_no, _), row in zip(lines[1:], reader):
        value = row[column].strip() if column < len(row) else ""
        if value or any(cell.strip() for cell in row):
            rows.append((line_no, value))
    return rows
