"""The Intune scope tags a package declares (``[intune] scope_tags``), resolved to ids through Graph.

``GET /deviceManagement/roleScopeTags`` lists every tag of the tenant (``id``, ``displayName``, ``isBuiltIn``;
the built-in "Default" has id "0"). The Graph reference page "List roleScopeTags" accepts any one of
DeviceManagementConfiguration.Read.All / .ReadWrite.All and DeviceManagementRBAC.Read.All / .ReadWrite.All;
we name DeviceManagementRBAC.Read.All, the permission made for role-based access (scope tags are part of it).

A declared entry made only of digits is a tag id, anything else a display name: matched exactly, else
case-insensitively; a name that matches several tags, or none, is refused before any write with the close
names listed. A declared tag that does not exist is a mistake in the package file, so it is a ConfigError
naming that file and key (exit 5); an answer Graph should not give is a ServiceError (exit 6). No Graph call
is made here (``remediate.intune.publish`` reads the list), which keeps this module low in the import layers.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from remediate.errors import ConfigError, ServiceError

TAGS_PATH = "/deviceManagement/roleScopeTags"
KEY = "intune.scope_tags"
_LISTED = 8  # names shown when nothing is close: enough to spot the right one, still one line


@dataclass(frozen=True)
class ScopeTag:
    id: str
    name: str

    def label(self) -> str:
        return f"{self.id} ({self.name})"


def from_graph(items: Iterable[dict]) -> list[ScopeTag]:
    """The tags of a ``roleScopeTags`` listing; an item without a string id and displayName is a bad answer."""
    tags = []
    for item in items:
        tag_id, name = item.get("id"), item.get("displayName")
        if not isinstance(tag_id, str) or not tag_id or not isinstance(name, str):
            raise ServiceError(f"Graph listed a scope tag without a string id and displayName (id {tag_id!r}, "
                               f"displayName {name!r}) on GET {TAGS_PATH}", code="bad_response")
        tags.append(ScopeTag(tag_id, name))
    return tags


def _close(entry: str, tags: Sequence[ScopeTag]) -> str:
    """`` (close: 'a', 'b')`` or, when nothing is close, the tenant's tags (the first few)."""
    by_folded = {t.name.casefold(): t.name for t in tags}
    close = difflib.get_close_matches(entry.casefold(), list(by_folded), n=3, cutoff=0.5)
    if close:
        return " (close: " + ", ".join(repr(by_folded[c]) for c in close) + ")"
    shown = ", ".join(t.label() for t in tags[:_LISTED]) + (", ..." if len(tags) > _LISTED else "")
    return f" (the tenant's tags: {shown})" if tags else " (the tenant lists no scope tags)"


def _one(entry: str, tags: Sequence[ScopeTag], file: str) -> ScopeTag:
    if entry.isdigit():
        found = [t for t in tags if t.id == entry]
        if not found:
            raise ConfigError(f"no Intune scope tag has id {entry!r}{_close(entry, tags)}", file=file, key=KEY)
        return found[0]
    matches = ([t for t in tags if t.name == entry]
               or [t for t in tags if t.name.casefold() == entry.casefold()])
    if len(matches) > 1:
        listed = ", ".join(t.label() for t in matches)
        raise ConfigError(f"{len(matches)} Intune scope tags are named {entry!r}: {listed}; write the id instead",
                          file=file, key=KEY)
    if not matches:
        raise ConfigError(f"no Intune scope tag named {entry!r}{_close(entry, tags)}", file=file, key=KEY)
    return matches[0]


def resolve(declared: Iterable[str], tags: Sequence[ScopeTag], file: str) -> list[ScopeTag]:
    """The tags ``declared`` names, in declared order, each once (a name and its id may both be listed)."""
    resolved: dict[str, ScopeTag] = {}
    for entry in declared:
        tag = _one(entry, tags, file)
        resolved.setdefault(tag.id, tag)
    return list(resolved.values())


def remote_ids(script: dict, display_name: str) -> list[str]:
    """The script's ``roleScopeTagIds`` as read back; absent reads as none, any other shape is a bad answer."""
    value = script.get("roleScopeTagIds")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ServiceError(f"Graph returned remediation {display_name!r} with roleScopeTagIds that is not a list "
                           f"of strings ({value!r})", code="bad_response")
    return value


def changes(current: Sequence[str], wanted: Sequence[ScopeTag], tags: Sequence[ScopeTag]) -> list[str]:
    """A line per tag added (``+``) or removed (``-``); [] when the sets are equal (order does not matter)."""
    names = {t.id: t.name for t in tags}
    wanted_ids = {t.id for t in wanted}
    lines = [f"+ scope tag {t.label()}" for t in wanted if t.id not in current]
    lines += [f"- scope tag {ScopeTag(i, names.get(i, 'not listed by Intune')).label()}" for i in current
              if i not in wanted_ids]
    return lines
