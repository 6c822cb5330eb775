"""Hosts as the run sees them: names validated, ``host:port`` parsed, and the host records inventories produce.

Shared by every inventory format (``inventory``, ``ansible_inventory``) and by ``--limit`` (``hostpattern``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# DNS labels (RFC 1123) plus "_", which AD computer names sometimes carry; 253 characters in all.
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")
_BRACKETED = re.compile(r"^\[([0-9A-Fa-f:.%]+)\](?::(\d+))?$")  # [::1] or [::1]:5986


@dataclass(frozen=True)
class InventoryHost:
    """One host: ``name`` is how results call it; the others override the command line's connection flags."""

    name: str
    address: str | None = None  # where to connect (ansible_host); default: the name
    port: int | None = None
    transport: str | None = None  # psrp | winrm
    auth: str | None = None
    ssl: bool | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def overrides(self) -> dict[str, Any]:
        """The connection settings this host sets itself (for ``ConnectionSettings`` and ``replace``)."""
        values = {"host": self.address or self.name, "port": self.port, "transport": self.transport,
                  "auth": self.auth, "ssl": self.ssl}
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class Inventory:
    hosts: tuple[InventoryHost, ...]
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)  # group -> host names (children expanded)

    @property
    def names(self) -> list[str]:
        return [h.name for h in self.hosts]

    def subset(self, names: Iterable[str]) -> Inventory:
        keep = {n.lower() for n in names}
        return replace(self, hosts=tuple(h for h in self.hosts if h.name.lower() in keep))


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


def parse_target(value: str) -> tuple[str, int | None]:
    """(host, port) of ``host``, ``host:5986``, ``10.0.0.5:5986``, ``::1`` or ``[::1]:5986``; raises ValueError."""
    value = value.strip()
    bracketed = _BRACKETED.match(value)
    if bracketed:
        host, port = bracketed.group(1), bracketed.group(2)
    elif value.count(":") == 1:
        host, port = value.split(":")
    else:  # a name, an IPv4 address or a bare IPv6 address (its colons are not a port)
        host, port = value, None
    problem = host_problem(host)
    if problem:
        raise ValueError(problem)
    if port is None:
        return host, None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{value!r}: port {port!r} is not a number from 1 to 65535")
    return host, int(port)


def dedupe(hosts: Iterable[str]) -> list[str]:
    """Hosts in first-seen order, duplicates removed case-insensitively (PC-1 and pc-1 are one machine), IP
    addresses by value (::1, [::1] and 0:0:0:0:0:0:0:1 are one machine)."""
    seen: set[str] = set()
    out: list[str] = []
    for host in hosts:
        key = host_key(host)
        if key and key not in seen:
            seen.add(key)
            out.append(host.strip())
    return out


def dedupe_hosts(hosts: Iterable[InventoryHost]) -> tuple[InventoryHost, ...]:
    """First-seen order; the first entry of a name wins (PC-1 and pc-1. are one machine)."""
    seen: dict[str, InventoryHost] = {}
    for host in hosts:
        seen.setdefault(host_key(host.name), host)
    return tuple(seen.values())


def host_key(host: str) -> str:
    """One spelling per machine: names case-folded without the root dot; IP addresses (IPv6 bare or in
    brackets, any zero compression) in their compressed form."""
    name = host.strip()
    try:
        return ipaddress.ip_address(name.removeprefix("[").removesuffix("]")).compressed
    except ValueError:
        return name.rstrip(".").lower()
