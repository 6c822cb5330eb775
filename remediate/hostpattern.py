"""``--limit PATTERN``: the subset of Ansible's host patterns that selects hosts from an inventory.

Supported, as Ansible documents them ("Patterns: targeting hosts and groups"):

* ``all`` or ``*``: every host;
* a host name or a group name (host names case-insensitively, as everywhere in remediate);
* shell wildcards over host and group names: ``web*``, ``pc-00?2``, ``*.corp.example.com``;
* ``~REGEX``: a regular expression searched in host and group names (``~pc-0[0-4]``);
* ``PAT1:PAT2`` or ``PAT1,PAT2``: union; ``&PAT``: intersection; ``!PAT``: exclusion. Ansible's order is
  kept: the union of the plain terms first (every host when there is none), then each ``&`` term, then each
  ``!`` term. Use ``,`` as the separator when a term holds an IPv6 address or a port (``:`` splits).

Not supported: ``@file`` (use ``--rerun-failed RESULTS`` for retries), slices (``web[0:2]``).
A term that matches no host and no group is an error: a typo never silently selects nothing.
"""

from __future__ import annotations

import fnmatch
import re

from remediate.errors import ConfigError
from remediate.hosts import Inventory

_WILDCARD = re.compile(r"[*?\[]")


def split_terms(pattern: str) -> list[str]:
    separator = "," if "," in pattern else ":"
    return [term.strip() for term in pattern.split(separator) if term.strip()]


def _match(inventory: Inventory, term: str) -> set[str]:
    """Lower-cased host names that one term (without its ! or & prefix) selects."""
    names = {h.name.lower() for h in inventory.hosts}
    groups = {g: {h.lower() for h in members} for g, members in inventory.groups.items()}
    if term in ("all", "*"):
        return names
    if term.startswith("~"):
        try:
            regex = re.compile(term[1:], re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"--limit: {term!r} is not a regular expression ({exc})") from None
        found = {n for n in names if regex.search(n)}
        return found.union(*(m for g, m in groups.items() if regex.search(g)))
    if term in groups:
        return groups[term]
    if term.lower() in names:
        return {term.lower()}
    if _WILDCARD.search(term):
        found = {n for n in names if fnmatch.fnmatchcase(n, term.lower())}
        return found.union(*(m for g, m in groups.items() if fnmatch.fnmatchcase(g, term)))
    return set()


def select(inventory: Inventory, pattern: str) -> Inventory:
    """The hosts of ``inventory`` that ``pattern`` selects, in inventory order."""
    terms = split_terms(pattern)
    if not terms:
        raise ConfigError("--limit: empty pattern")
    plain = [t for t in terms if t[0] not in "!&"]
    chosen: set[str] = set().union(*(_checked(inventory, t) for t in plain)) if plain else \
        {h.name.lower() for h in inventory.hosts}
    for term in (t for t in terms if t.startswith("&")):
        chosen &= _checked(inventory, term[1:])
    for term in (t for t in terms if t.startswith("!")):
        chosen -= _checked(inventory, term[1:])
    if not chosen:
        raise ConfigError(f"--limit {pattern!r} leaves no host")
    return inventory.subset(chosen)


def _checked(inventory: Inventory, term: str) -> set[str]:
    found = _match(inventory, term)
    if not found:
        raise ConfigError(f"--limit: {term!r} matches no host and no group of the inventory")
    return found
