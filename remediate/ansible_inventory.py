"""Ansible inventories: INI, YAML and the JSON of ``ansible-inventory --list`` (with or without ``--export``).

All three become one group tree (hosts, vars, children), resolved the way Ansible documents variable
precedence for inventories: ``all``'s vars first, then each group's by depth (parents before children, ties
by name), then the host's own. Only the connection variables below are read; credentials
(``ansible_user``, ``ansible_password``) are never taken from an inventory: ``--username`` and
REMEDIATE_PASSWORD give them. Not supported, with a clear error: host ranges (``web[01:20]``), connections
other than psrp and winrm (ssh, local), and inline vault values.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from remediate.errors import ConfigError
from remediate.hosts import Inventory, InventoryHost, dedupe_hosts, host_problem, parse_target

# An INI section: [group], [group:vars] or [group:children]; "[::1]" never matches (a name starts with a letter).
SECTION = re.compile(r"^\[([A-Za-z_][A-Za-z0-9_.-]*)(?::(vars|children))?\]\s*$")
_RANGE = re.compile(r"\[[^\]]*:[^\]]*\]")
CONNECTIONS = {"psrp": "psrp", "winrm": "winrm", "ansible.builtin.psrp": "psrp", "ansible.builtin.winrm": "winrm"}
AUTHS = {"negotiate", "ntlm", "kerberos", "credssp", "certificate", "basic"}


@dataclass
class _Group:
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)  # host -> vars given with it here
    vars: dict[str, Any] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)


class _Tree:
    def __init__(self, file: str) -> None:
        self.file = file
        self.groups: dict[str, _Group] = {"all": _Group(), "ungrouped": _Group()}

    def group(self, name: str) -> _Group:
        return self.groups.setdefault(name, _Group())

    def add_host(self, group: str, name: str, variables: Mapping[str, Any] | None, where: str) -> None:
        if _RANGE.search(name):
            raise ConfigError(f"host range {name!r} is not supported; expand it (ansible-inventory --list "
                              "prints every host)", file=where)
        try:
            host, port = parse_target(name)
        except ValueError as exc:
            raise ConfigError(str(exc), file=where) from None
        values = dict(variables or {})
        if port is not None:
            values.setdefault("ansible_port", port)
        self.group(group).hosts.setdefault(host, {}).update(values)

    # -- resolution --------------------------------------------------------------------------------------
    def members(self, name: str, seen: frozenset[str] = frozenset()) -> list[str]:
        if name in seen:
            raise ConfigError(f"group {name!r} is its own descendant", file=self.file)
        group = self.groups.get(name)
        if group is None:
            return []
        out = list(group.hosts)
        for child in group.children:
            out += self.members(child, seen | {name})
        return out

    def depths(self) -> dict[str, int]:
        """Distance from ``all``; groups nobody lists as a child hang under ``all``."""
        parented = {c for g in self.groups.values() for c in g.children}
        roots = [n for n in self.groups if n != "all" and n not in parented]
        depth = {"all": 0}
        frontier = [(n, 1) for n in self.groups["all"].children + roots]
        while frontier:
            name, d = frontier.pop(0)
            if name in depth:
                continue
            depth[name] = d
            frontier += [(c, d + 1) for c in self.groups.get(name, _Group()).children]
        return depth

    def inventory(self) -> Inventory:
        depth = self.depths()
        membership = {name: self.members(name) for name in self.groups}
        order: list[str] = []
        for name in sorted(self.groups, key=lambda n: (depth.get(n, 0), n)):
            order += [h for h in self.groups[name].hosts if h not in order]
        hosts = []
        for host in order:
            in_groups = sorted((g for g, m in membership.items() if host in m and g != "all"),
                               key=lambda g: (depth.get(g, 0), g))
            merged = dict(self.groups["all"].vars)
            for group in in_groups:
                merged.update(self.groups[group].vars)
            for group in ["all", *in_groups]:
                merged.update(self.groups[group].hosts.get(host, {}))
            hosts.append(host_from_vars(host, merged, frozenset(in_groups) - {"ungrouped"}, self.file))
        groups = {g: frozenset(m) for g, m in membership.items() if g not in ("all", "ungrouped") and m}
        return Inventory(dedupe_hosts(hosts), groups)


def host_from_vars(name: str, values: Mapping[str, Any], groups: frozenset[str], file: str) -> InventoryHost:
    """The connection variables of one host; an unusable value is an error naming the host and the variable."""
    where = f"{file}: host {name}"
    address = values.get("ansible_host")
    if address is not None and host_problem(str(address).strip("[]")):
        raise ConfigError(f"ansible_host: {host_problem(str(address))}", file=where)
    port = values.get("ansible_port")
    if port is not None and (not str(port).isdigit() or not 1 <= int(port) <= 65535):
        raise ConfigError(f"ansible_port {port!r} is not a number from 1 to 65535", file=where)
    connection = values.get("ansible_connection")
    if connection is not None and str(connection) not in CONNECTIONS:
        raise ConfigError(f"ansible_connection {connection!r} is not supported (psrp or winrm); leave such hosts "
                          "out with --limit '!GROUP'", file=where)
    auth = values.get("ansible_psrp_auth", values.get("ansible_winrm_transport"))
    if isinstance(auth, list):  # ansible_winrm_transport may list several; the first is tried first
        auth = auth[0] if auth else None
    if auth is not None and str(auth) not in AUTHS:
        raise ConfigError(f"authentication {auth!r} is not one of {', '.join(sorted(AUTHS))}", file=where)
    scheme = values.get("ansible_psrp_protocol", values.get("ansible_winrm_scheme"))
    if scheme is not None and str(scheme) not in ("http", "https"):
        raise ConfigError(f"scheme {scheme!r} is not http or https", file=where)
    return InventoryHost(name, address=str(address).strip("[]") if address else None,
                         port=int(port) if port is not None else None,
                         transport=CONNECTIONS[str(connection)] if connection is not None else None,
                         auth=str(auth) if auth is not None else None,
                         ssl=(str(scheme) == "https") if scheme is not None else None, groups=groups)


# -- INI ---------------------------------------------------------------------------------------------------
def from_ini(text: str, file: str) -> Inventory:
    tree = _Tree(file)
    group, kind = "ungrouped", "hosts"
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        where = f"{file}:{line_no}"
        section = SECTION.match(line)
        if section:
            group, kind = section.group(1), section.group(2) or "hosts"
            tree.group(group)
            continue
        if line.startswith("["):
            raise ConfigError(f"not an inventory section: {line!r}", file=where)
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError as exc:
            raise ConfigError(f"cannot split the line ({exc})", file=where) from None
        if kind == "children":
            tree.group(group).children.append(tokens[0])
            tree.group(tokens[0])
        elif kind == "vars":
            key, sep, value = line.partition("=")
            if not sep:
                raise ConfigError(f"expected key=value in [{group}:vars], got {line!r}", file=where)
            tree.group(group).vars[key.strip()] = _unquote(value.strip())
        else:
            tree.add_host(group, tokens[0], _key_values(tokens[1:], where), where)
    return tree.inventory()


def _key_values(tokens: list[str], where: str) -> dict[str, str]:
    values = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep:
            raise ConfigError(f"expected key=value after the host name, got {token!r}", file=where)
        values[key] = value
    return values


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" else value


# -- YAML --------------------------------------------------------------------------------------------------
def from_yaml(text: str, file: str) -> Inventory:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML ({getattr(exc, 'problem', exc)})",
                          file=f"{file}:{mark.line + 1}" if mark else file) from None
    if not isinstance(data, dict):
        raise ConfigError("a YAML inventory is a mapping of groups (all: hosts/children/vars)", file=file)
    tree = _Tree(file)
    for name, body in data.items():
        _yaml_group(tree, str(name), body)
    return tree.inventory()


def _yaml_group(tree: _Tree, name: str, body: Any) -> None:
    group = tree.group(name)
    if body is None:
        return
    if not isinstance(body, dict):
        raise ConfigError(f"group {name!r} must be a mapping (hosts, children, vars)", file=tree.file)
    hosts = body.get("hosts") or {}
    if not isinstance(hosts, dict):
        raise ConfigError(f"group {name!r}: hosts must be a mapping of host names", file=tree.file)
    for host, values in hosts.items():
        if values is not None and not isinstance(values, dict):
            raise ConfigError(f"host {host!r}: its variables must be a mapping", file=tree.file)
        tree.add_host(name, str(host), values, f"{tree.file}: group {name}")
    group.vars.update(body.get("vars") or {})
    for child, child_body in (body.get("children") or {}).items():
        group.children.append(str(child))
        _yaml_group(tree, str(child), child_body)


# -- ansible-inventory --list JSON -------------------------------------------------------------------------
def from_json(data: Any, file: str) -> Inventory:
    if not isinstance(data, dict):
        raise ConfigError("expected the JSON object that ansible-inventory --list prints", file=file)
    meta = data.get("_meta") if isinstance(data.get("_meta"), dict) else {}
    hostvars = meta.get("hostvars") if isinstance(meta.get("hostvars"), dict) else {}
    tree = _Tree(file)
    for name, body in data.items():
        if name == "_meta" or not isinstance(body, dict):
            continue
        group = tree.group(name)
        group.vars.update(body.get("vars") or {})  # only with --export; otherwise hostvars are merged already
        group.children += [str(c) for c in body.get("children") or []]
        for host in body.get("hosts") or []:
            tree.add_host(name, str(host), hostvars.get(host), f"{file}: group {name}")
    listed = {h for g in tree.groups.values() for h in g.hosts}
    for host, values in hostvars.items():
        if host not in listed:
            tree.add_host("ungrouped", str(host), values, f"{file}: _meta")
    return tree.inventory()
