"""Create or update a package's deviceHealthScript by display name, then assign it.

Idempotent: the script is found by displayName, its content compared field by field, and PATCHed only on a
difference. ``POST /{id}/assign`` replaces the whole assignment set, so the current set is read, the requested
targets merged in deliberately (targets nobody asked about are kept, with their filters), every change
reported, and nothing sent when the merged set equals the current one. Each existing assignment keeps its
``runRemediationScript`` as read back (a detect-only assignment made in the portal stays detect-only, even
when its schedule is changed here); only new include targets get the package's value (true when the package
has a remediation script). DOMAIN.md section 5.
With ``dry_run`` only reads are sent; the writes come back as planned requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import structlog

from remediate.errors import ConfigError, ServiceError
from remediate.intune import scope_tags
from remediate.intune.bundle import Bundle
from remediate.intune.graph import SCRIPTS_PATH, Call, GraphClient, find_script, odata_string
from remediate.intune.permissions import GROUPS_READ, SCOPE_TAGS_READ, SCRIPTS_READ, SCRIPTS_WRITE
from remediate.intune.schedule import Schedule, schedule_from_graph
from remediate.output import Result

COMPARED_FIELDS = ("description", "publisher", "runAsAccount", "runAs32Bit", "enforceSignatureCheck",
                   "detectionScriptContent", "remediationScriptContent")
NEW_ID = "{new-script-id}"  # placeholder in dry-run plans for a script that does not exist yet

log = structlog.get_logger("remediate.intune.publish")
Tags = tuple[list[scope_tags.ScopeTag], list[scope_tags.ScopeTag]]  # (the package's, all the tenant's)

T_GROUP = "#microsoft.graph.groupAssignmentTarget"
T_EXCLUDE = "#microsoft.graph.exclusionGroupAssignmentTarget"
T_ALL_DEVICES = "#microsoft.graph.allDevicesAssignmentTarget"
T_ALL_USERS = "#microsoft.graph.allLicensedUsersAssignmentTarget"
_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_INCLUDE_TYPES = {T_GROUP, T_ALL_DEVICES, T_ALL_USERS}
FILTER_ID = "deviceAndAppManagementAssignmentFilterId"
FILTER_TYPE = "deviceAndAppManagementAssignmentFilterType"
ALL_TARGETS = {"all-devices": T_ALL_DEVICES, "all-users": T_ALL_USERS}  # --remove's names for the virtual groups


@dataclass(frozen=True)
class PlannedRequest:
    method: str
    path: str
    body: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "body": self.body}


@dataclass(frozen=True)
class AssignmentRequest:
    """Groups are Entra object ids (GUIDs) or display names, which ``resolve_groups`` looks up in Graph."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    all_devices: bool = False
    all_users: bool = False
    schedule: Schedule | None = None  # None: the package's own schedule
    filter_id: str | None = None  # an assignment filter for the include targets named here
    filter_mode: str = "include"  # include | exclude: the devices the filter keeps or leaves out
    remove: tuple[str, ...] = ()  # groups (id or name), "all-devices" or "all-users" to unassign

    def __post_init__(self) -> None:  # checked before any call, so a typo creates nothing
        for group in (*self.include, *self.exclude, *self.remove):
            if not group.strip():
                raise ConfigError("empty group name or id")
        if self.filter_id is not None and not _GUID_RE.fullmatch(self.filter_id):
            raise ConfigError(f"--filter {self.filter_id!r} is not an assignment filter id (a GUID)")
        if self.filter_mode not in ("include", "exclude"):
            raise ConfigError(f"filter mode {self.filter_mode!r} is not include or exclude")
        if self.filter_id and not (self.include or self.all_devices or self.all_users):
            raise ConfigError("--filter applies to include targets: add --group, --all-devices or --all-users "
                              "(Intune takes no filter on an excluded group)")

    @property
    def empty(self) -> bool:
        return not (self.include or self.exclude or self.all_devices or self.all_users or self.remove)

    @property
    def names(self) -> list[str]:
        """Groups given by display name: they need a Graph lookup."""
        return [g for g in (*self.include, *self.exclude, *self.remove)
                if not _GUID_RE.fullmatch(g) and g not in ALL_TARGETS]


@dataclass(frozen=True)
class Assignment:
    """One assignment target, normalised for comparison; ``target`` keeps what Graph returned."""

    odata_type: str
    group_id: str | None
    schedule: Schedule | None
    target: Mapping[str, Any]
    run_remediation: bool | None = None  # as read back; None for a new assignment (the package decides)

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.odata_type, self.group_id)

    @property
    def filter(self) -> tuple[str | None, str]:
        return self.target.get(FILTER_ID), self.target.get(FILTER_TYPE) or "none"

    def label(self) -> str:
        kind = {T_GROUP: "include group", T_EXCLUDE: "exclude group", T_ALL_DEVICES: "all devices",
                T_ALL_USERS: "all users"}
        name = kind.get(self.odata_type, self.odata_type.rsplit(".", 1)[-1])
        return f"{name} {self.group_id}" if self.group_id else name

    def to_graph(self, package_runs_remediation: bool) -> dict[str, Any]:
        run = package_runs_remediation if self.run_remediation is None else self.run_remediation
        body: dict[str, Any] = {"target": dict(self.target),
                                "runRemediationScript": run and self.odata_type in _INCLUDE_TYPES}
        if self.schedule is not None and self.odata_type != T_EXCLUDE:
            body["runSchedule"] = self.schedule.to_graph()
        return body


@dataclass
class PublishResult:
    display_name: str
    script_id: str | None
    action: str  # create | update | unchanged
    changed_fields: list[str] = field(default_factory=list)
    assignment_changes: list[str] = field(default_factory=list)
    requests: list[PlannedRequest] = field(default_factory=list)  # writes sent (or planned in a dry run)
    dry_run: bool = False
    scope_tags: list[str] | None = None  # declared by the package (as written); None: not declared
    scope_tag_changes: list[str] = field(default_factory=list)  # "+ scope tag 7 (Helpdesk EU)", "- ..."
    scope_tags_resolved: bool = False  # False in an offline dry run: the names were not looked up

    def to_dict(self) -> dict[str, Any]:
        return {"display_name": self.display_name, "script_id": self.script_id, "action": self.action,
                "changed_fields": self.changed_fields, "assignment_changes": self.assignment_changes,
                "dry_run": self.dry_run, "requests": [r.to_dict() for r in self.requests],
                "scope_tags": self.scope_tags, "scope_tag_changes": self.scope_tag_changes,
                "scope_tags_resolved": self.scope_tags_resolved}


def content_diff(remote: Mapping[str, Any], payload: Mapping[str, Any]) -> list[str]:
    """Names of the compared fields whose remote value differs from the payload."""
    return [name for name in COMPARED_FIELDS if remote.get(name) != payload[name]]


def _script_call(script_id: str, display_name: str, write: bool = False) -> Call:
    return Call(what=f"remediation {display_name!r} (id {script_id})",
                permission=SCRIPTS_WRITE if write else SCRIPTS_READ)


def sync_script(client: GraphClient | None, bundle: Bundle, dry_run: bool,
                tags: Tags | None = None) -> PublishResult:
    """Create the script or PATCH it when its content (or its declared scope tags) differ; nothing when it is
    identical. ``tags``: the package's scope tags resolved, with the tenant's list; None when the package
    declares none (Default on create, the portal's tags kept on update) or when they could not be read.

    ``client`` None is an offline dry run: the plan assumes nothing exists in Intune yet.
    """
    payload = bundle.payload()
    name = payload["displayName"]
    declared = list(bundle.meta.scope_tags) or None
    if tags is not None:
        payload["roleScopeTagIds"] = [t.id for t in tags[0]]
    elif declared and client is None:
        payload["roleScopeTagIds"] = declared  # offline: shown as declared, unresolved
    found = find_script(client, name) if client is not None else None
    if found is None:
        request = PlannedRequest("POST", SCRIPTS_PATH, payload)
        script_id = NEW_ID if dry_run else _create(client, request, name)
        result = PublishResult(name, script_id, "create", list(COMPARED_FIELDS), requests=[request],
                               dry_run=dry_run)
        if tags is not None:
            result.scope_tag_changes = [f"+ scope tag {t.label()}" for t in tags[0]]
        return _with_tags(result, declared, tags)
    script_id = found["id"]
    remote = client.get(f"{SCRIPTS_PATH}/{script_id}", call=_script_call(script_id, name))
    changed = content_diff(remote, payload)
    tag_lines = [] if tags is None else scope_tags.changes(scope_tags.remote_ids(remote, name), *tags)
    if tag_lines:
        changed.append("roleScopeTagIds")
    if not changed:
        return _with_tags(PublishResult(name, script_id, "unchanged", dry_run=dry_run), declared, tags)
    fields = COMPARED_FIELDS + (("roleScopeTagIds",) if tags is not None else ())  # declared state wins
    request = PlannedRequest("PATCH", f"{SCRIPTS_PATH}/{script_id}", {k: payload[k] for k in fields})
    if not dry_run:
        client.request(request.method, request.path, body=request.body,
                       call=_script_call(script_id, name, write=True))
    result = PublishResult(name, script_id, "update", changed, requests=[request], dry_run=dry_run,
                           scope_tag_changes=tag_lines)
    return _with_tags(result, declared, tags)


def _with_tags(result: PublishResult, declared: list[str] | None, tags: Tags | None) -> PublishResult:
    result.scope_tags, result.scope_tags_resolved = declared, tags is not None
    return result


def resolve_tags(client: GraphClient | None, bundle: Bundle) -> Tags | None:
    """The package's declared scope tags resolved against the tenant's list (read once), with that list for
    naming the tags an update removes; None when none are declared or offline (nothing can be read)."""
    if not bundle.meta.scope_tags or client is None:
        return None
    call = Call(what="Intune scope tags", permission=SCOPE_TAGS_READ)
    tenant = scope_tags.from_graph(client.get_all(scope_tags.TAGS_PATH, call=call))
    return scope_tags.resolve(bundle.meta.scope_tags, tenant, bundle.meta.source or bundle.meta.package_id), tenant


def _create(client: GraphClient, request: PlannedRequest, name: str) -> str:
    created = client.request(request.method, request.path, body=request.body,
                             call=Call(what=f"create of remediation {name!r}", permission=SCRIPTS_WRITE,
                                       idempotent=False))
    if not isinstance(created, dict) or not isinstance(created.get("id"), str):
        raise ServiceError(f"Graph created {name!r} but returned no id", code="bad_response")
    return created["id"]


def read_assignments(client: GraphClient, script_id: str, display_name: str) -> list[Assignment]:
    items = client.get_all(f"{SCRIPTS_PATH}/{script_id}/assignments",
                           call=_script_call(script_id, display_name))
    result = []
    for item in items:
        target = item.get("target")
        if not isinstance(target, dict) or "@odata.type" not in target:
            raise ServiceError(f"Graph returned an assignment of {display_name!r} without a target",
                               code="bad_response")
        result.append(Assignment(str(target["@odata.type"]), target.get("groupId"),
                                 schedule_from_graph(item.get("runSchedule")), target,
                                 _run_remediation(item, display_name)))
    return result


def _run_remediation(item: Mapping[str, Any], display_name: str) -> bool:
    """The existing flag; absent or not a boolean reads as detect-only, the choice that changes no device."""
    value = item.get("runRemediationScript")
    if isinstance(value, bool):
        return value
    log.warning("intune.assignment_flag_missing", remediation=display_name, assignment=item.get("id"))
    return False


def _new(odata_type: str, group_id: str | None, schedule: Schedule | None,
         request: AssignmentRequest | None = None) -> Assignment:
    target: dict[str, Any] = {"@odata.type": odata_type}
    if group_id:
        target["groupId"] = group_id
    if request is not None and request.filter_id and odata_type != T_EXCLUDE:
        target[FILTER_ID], target[FILTER_TYPE] = request.filter_id, request.filter_mode
    return Assignment(odata_type, group_id, None if odata_type == T_EXCLUDE else schedule, target)


def _filter_text(value: tuple[str | None, str]) -> str:
    return "none" if value[1] == "none" or not value[0] else f"{value[1]} {value[0]}"


def merge_assignments(current: list[Assignment], request: AssignmentRequest,
                      schedule: Schedule) -> tuple[list[Assignment], list[str]]:
    """The merged set and a line per change. Requested targets win over conflicting current ones."""
    if set(request.include) & set(request.exclude):
        both = ", ".join(sorted(set(request.include) & set(request.exclude)))
        raise ConfigError(f"group(s) both included and excluded: {both}")
    wanted = [_new(T_GROUP, g, schedule, request) for g in request.include]
    wanted += [_new(T_EXCLUDE, g, None) for g in request.exclude]
    wanted += [_new(kind, None, schedule, request) for kind, asked in
               ((T_ALL_DEVICES, request.all_devices), (T_ALL_USERS, request.all_users)) if asked]
    merged = {a.key: a for a in current}
    changes: list[str] = []
    for want in wanted:
        changes += _apply(merged, want, request.filter_id is not None)
    for target in request.remove:
        changes += _remove(merged, target)
    return list(merged.values()), changes


def _remove(merged: dict[tuple[str, str | None], Assignment], target: str) -> list[str]:
    """Unassign one group (include or exclude) or one of the "all" targets; saying so when it was not there."""
    keys = [(ALL_TARGETS[target], None)] if target in ALL_TARGETS else [(T_GROUP, target), (T_EXCLUDE, target)]
    gone = [merged.pop(key) for key in keys if key in merged]
    return [f"- {a.label()}" for a in gone] or [f"  {target}: not assigned, nothing to remove"]


def _apply(merged: dict[tuple[str, str | None], Assignment], want: Assignment, set_filter: bool) -> list[str]:
    """Put ``want`` into ``merged``; describe what that changes. An existing target keeps its filter unless
    ``set_filter`` (a --filter was given)."""
    opposite = {T_GROUP: T_EXCLUDE, T_EXCLUDE: T_GROUP}.get(want.odata_type)
    changes = []
    if opposite and (opposite, want.group_id) in merged:
        old = merged.pop((opposite, want.group_id))
        changes.append(f"- {old.label()} (replaced by {want.label()})")
    old = merged.get(want.key)
    when = f" ({want.schedule.spec()})" if want.schedule else ""
    if old is None:
        shown = _filter_text(want.filter)
        changes.append(f"+ {want.label()}{when}" + (f" filter {shown}" if shown != "none" else ""))
        merged[want.key] = want
    else:
        target = dict(old.target)
        if old.schedule != want.schedule:
            before = old.schedule.spec() if old.schedule else "none"
            after = want.schedule.spec() if want.schedule else "none"
            changes.append(f"~ {want.label()}: schedule {before} -> {after}")
        if set_filter and old.filter != want.filter:
            changes.append(f"~ {want.label()}: filter {_filter_text(old.filter)} -> {_filter_text(want.filter)}")
            target[FILTER_ID], target[FILTER_TYPE] = want.filter
        merged[want.key] = Assignment(old.odata_type, old.group_id, want.schedule, target, old.run_remediation)
    return changes


def sync_assignments(client: GraphClient | None, result: PublishResult, bundle: Bundle, request: AssignmentRequest,
                     dry_run: bool) -> None:
    """Merge the requested targets into the current set and assign when that changes anything."""
    if request.empty:
        return
    script_id = result.script_id or NEW_ID
    current = [] if script_id == NEW_ID else read_assignments(client, script_id, result.display_name)
    merged, changes = merge_assignments(current, request, request.schedule or bundle.meta.schedule)
    result.assignment_changes = changes
    if not changes:
        return
    package_runs_remediation = bool(bundle.remediate.strip())  # a detect-only package has no remediation
    body = {"deviceHealthScriptAssignments": [a.to_graph(package_runs_remediation) for a in merged]}
    planned = PlannedRequest("POST", f"{SCRIPTS_PATH}/{script_id}/assign", body)
    result.requests.append(planned)
    if not dry_run:
        client.request(planned.method, planned.path, body=body,
                       call=_script_call(script_id, result.display_name, write=True))


GROUPS_PATH = "/groups"


def resolve_group(client: GraphClient, name: str) -> str:
    """The object id of the one Entra group with this display name; several is refused, listing them."""
    params = {"$filter": f"displayName eq {odata_string(name)}", "$select": "id,displayName"}
    matches = list(client.get_all(GROUPS_PATH, params, call=Call(what=f"group {name!r}", permission=GROUPS_READ)))
    if not matches:
        raise ServiceError(f"not found: no Entra group named {name!r}", status=404, code="not_found")
    if len(matches) > 1:
        listed = ", ".join(f"{m.get('id')} ({m.get('displayName')})" for m in matches)
        raise ServiceError(f"{len(matches)} groups are named {name!r}: {listed}; pass the group id",
                           code="ambiguous")
    if not isinstance(matches[0].get("id"), str):
        raise ServiceError(f"Graph listed group {name!r} without an id", code="bad_response")
    return matches[0]["id"]


def resolve_groups(client: GraphClient | None, request: AssignmentRequest) -> AssignmentRequest:
    """``request`` with every group name replaced by its id (ids and the "all" targets stay as given)."""
    if not request.names:
        return request
    if client is None:
        raise ConfigError(f"group name(s) {', '.join(map(repr, request.names))} are looked up in Graph: an "
                          "offline --dry-run needs group ids (GUIDs)")
    ids = {name: resolve_group(client, name) for name in request.names}
    return replace(request, include=tuple(ids.get(g, g) for g in request.include),
                   exclude=tuple(ids.get(g, g) for g in request.exclude),
                   remove=tuple(ids.get(g, g) for g in request.remove))


def publish(client: GraphClient | None, bundle: Bundle, request: AssignmentRequest = AssignmentRequest(), *,
            dry_run: bool = False) -> PublishResult:
    """Create/update the package's remediation, then merge and send its assignments."""
    if client is None and not dry_run:
        raise ConfigError("publishing needs Graph credentials (only --dry-run works offline)")
    tags = resolve_tags(client, bundle)  # before any write: an unknown tag creates nothing
    request = resolve_groups(client, request)
    result = sync_script(client, bundle, dry_run, tags)
    sync_assignments(client, result, bundle, request, dry_run)
    return result


def _show_request(request: PlannedRequest) -> str:
    """A planned request for humans: script contents shortened (the JSON output has them in full)."""
    body = request.body
    if isinstance(body, dict):
        body = {k: (f"<base64, {len(v)} chars>" if k.endswith("ScriptContent") else v) for k, v in body.items()}
    return f"{request.method} {request.path}" + (f"\n  {json.dumps(body, sort_keys=True)}" if body else "")


OFFLINE_NOTE = ("remediate: offline dry run: Intune was NOT read (no credentials); this plan assumes the "
                "remediation and its assignments do not exist yet")


def publish_result(result: PublishResult, dry_run: bool, offline: bool = False) -> Result:
    """``remediate publish``: the action, the assignment changes, and with ``dry_run`` the planned writes.
    ``offline``: a dry run without credentials, which says so in its first line and on stderr."""
    fields = f" ({', '.join(result.changed_fields)})" if result.action == "update" else ""
    prefix = "dry run (offline, Intune not read): would " if offline else "dry run: would " if dry_run else ""
    lines = [f"{prefix}{result.action}{fields}: {result.display_name} [{result.script_id}]"]
    if result.scope_tags is not None and not result.scope_tags_resolved:
        lines.append(f"  scope tags (not resolved, Intune not read): {', '.join(result.scope_tags)}")
    elif result.scope_tags is not None:
        lines += [f"  {change}" for change in result.scope_tag_changes or ["scope tags: no change"]]
    lines += [f"  {change}" for change in result.assignment_changes or ["assignments: no change"]]
    if dry_run:
        lines += [_show_request(planned) for planned in result.requests]
    data = {**result.to_dict(), "intune_read": not offline}
    return Result("publish", data, lines, notes=[OFFLINE_NOTE] if offline else [])


def unpublish(client: GraphClient, display_name: str, *, dry_run: bool = False) -> Result:
    """``remediate unpublish``: delete the remediation (and with it its assignments); absent is not an error."""
    found = find_script(client, display_name)
    data: dict[str, Any] = {"display_name": display_name, "script_id": None, "action": "absent",
                            "dry_run": dry_run, "requests": []}
    if found is None:
        return Result("unpublish", data, [f"not in Intune: {display_name} (nothing to delete)"])
    request = PlannedRequest("DELETE", f"{SCRIPTS_PATH}/{found['id']}")
    if not dry_run:
        client.request(request.method, request.path, call=_script_call(found["id"], display_name, write=True))
    data.update(script_id=found["id"], action="delete", requests=[request.to_dict()])
    verb = "dry run: would delete" if dry_run else "deleted"
    return Result("unpublish", data, [f"{verb}: {display_name} [{found['id']}] with its assignments"])
