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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from remediate.errors import ConfigError, ServiceError
from remediate.intune.bundle import Bundle
from remediate.intune.graph import Call, GraphClient
from remediate.intune.permissions import SCRIPTS_READ, SCRIPTS_WRITE
from remediate.intune.schedule import Schedule, schedule_from_graph

SCRIPTS_PATH = "/deviceManagement/deviceHealthScripts"
COMPARED_FIELDS = ("description", "publisher", "runAsAccount", "runAs32Bit", "enforceSignatureCheck",
                   "detectionScriptContent", "remediationScriptContent")
NEW_ID = "{new-script-id}"  # placeholder in dry-run plans for a script that does not exist yet

log = structlog.get_logger("remediate.intune.publish")

T_GROUP = "#microsoft.graph.groupAssignmentTarget"
T_EXCLUDE = "#microsoft.graph.exclusionGroupAssignmentTarget"
T_ALL_DEVICES = "#microsoft.graph.allDevicesAssignmentTarget"
_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_INCLUDE_TYPES = {T_GROUP, T_ALL_DEVICES, "#microsoft.graph.allLicensedUsersAssignmentTarget"}


@dataclass(frozen=True)
class PlannedRequest:
    method: str
    path: str
    body: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "body": self.body}


@dataclass(frozen=True)
class AssignmentRequest:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    all_devices: bool = False
    schedule: Schedule | None = None  # None: the package's own schedule

    def __post_init__(self) -> None:  # checked before any call, so a typo creates nothing
        for group in (*self.include, *self.exclude):
            if not _GUID_RE.fullmatch(group):
                raise ConfigError(f"group {group!r} is not an Entra group object id (a GUID); Graph rejects it")

    @property
    def empty(self) -> bool:
        return not (self.include or self.exclude or self.all_devices)


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

    def label(self) -> str:
        kind = {T_GROUP: "include group", T_EXCLUDE: "exclude group", T_ALL_DEVICES: "all devices"}
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

    def to_dict(self) -> dict[str, Any]:
        return {"display_name": self.display_name, "script_id": self.script_id, "action": self.action,
                "changed_fields": self.changed_fields, "assignment_changes": self.assignment_changes,
                "dry_run": self.dry_run, "requests": [r.to_dict() for r in self.requests]}


def find_script(client: GraphClient, display_name: str) -> dict[str, Any] | None:
    """The deviceHealthScript with this displayName (matched exactly), or None. Two matches is an error."""
    call = Call(what="deviceHealthScripts", permission=SCRIPTS_READ)
    matches = [s for s in client.get_all(SCRIPTS_PATH, {"$select": "id,displayName"}, call=call)
               if s.get("displayName") == display_name]
    if len(matches) > 1:
        ids = ", ".join(str(s.get("id")) for s in matches)
        raise ServiceError(f"{len(matches)} remediations are named {display_name!r} ({ids}); rename or delete "
                           "all but one", code="ambiguous")
    if matches and not isinstance(matches[0].get("id"), str):
        raise ServiceError(f"Graph listed {display_name!r} without an id", code="bad_response")
    return matches[0] if matches else None


def content_diff(remote: Mapping[str, Any], payload: Mapping[str, Any]) -> list[str]:
    """Names of the compared fields whose remote value differs from the payload."""
    return [name for name in COMPARED_FIELDS if remote.get(name) != payload[name]]


def _script_call(script_id: str, display_name: str, write: bool = False) -> Call:
    return Call(what=f"remediation {display_name!r} (id {script_id})",
                permission=SCRIPTS_WRITE if write else SCRIPTS_READ)


def sync_script(client: GraphClient | None, bundle: Bundle, dry_run: bool) -> PublishResult:
    """Create the script or PATCH it when its content differs; nothing when it is identical.

    ``client`` None is an offline dry run: the plan assumes nothing exists in Intune yet.
    """
    payload = bundle.payload()
    name = payload["displayName"]
    found = find_script(client, name) if client is not None else None
    if found is None:
        request = PlannedRequest("POST", SCRIPTS_PATH, payload)
        script_id = NEW_ID if dry_run else _create(client, request, name)
        return PublishResult(name, script_id, "create", list(COMPARED_FIELDS), requests=[request], dry_run=dry_run)
    script_id = found["id"]
    remote = client.get(f"{SCRIPTS_PATH}/{script_id}", call=_script_call(script_id, name))
    changed = content_diff(remote, payload)
    if not changed:
        return PublishResult(name, script_id, "unchanged", dry_run=dry_run)
    request = PlannedRequest("PATCH", f"{SCRIPTS_PATH}/{script_id}", {k: payload[k] for k in COMPARED_FIELDS})
    if not dry_run:
        client.request(request.method, request.path, body=request.body,
                       call=_script_call(script_id, name, write=True))
    return PublishResult(name, script_id, "update", changed, requests=[request], dry_run=dry_run)


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


def _new(odata_type: str, group_id: str | None, schedule: Schedule | None) -> Assignment:
    target: dict[str, Any] = {"@odata.type": odata_type}
    if group_id:
        target["groupId"] = group_id
    return Assignment(odata_type, group_id, None if odata_type == T_EXCLUDE else schedule, target)


def merge_assignments(current: list[Assignment], request: AssignmentRequest,
                      schedule: Schedule) -> tuple[list[Assignment], list[str]]:
    """The merged set and a line per change. Requested targets win over conflicting current ones."""
    if set(request.include) & set(request.exclude):
        both = ", ".join(sorted(set(request.include) & set(request.exclude)))
        raise ConfigError(f"group(s) both included and excluded: {both}")
    wanted = [_new(T_GROUP, g, schedule) for g in request.include]
    wanted += [_new(T_EXCLUDE, g, None) for g in request.exclude]
    if request.all_devices:
        wanted.append(_new(T_ALL_DEVICES, None, schedule))
    merged = {a.key: a for a in current}
    changes: list[str] = []
    for want in wanted:
        changes += _apply(merged, want)
    return list(merged.values()), changes


def _apply(merged: dict[tuple[str, str | None], Assignment], want: Assignment) -> list[str]:
    """Put ``want`` into ``merged``; describe what that changes."""
    opposite = {T_GROUP: T_EXCLUDE, T_EXCLUDE: T_GROUP}.get(want.odata_type)
    changes = []
    if opposite and (opposite, want.group_id) in merged:
        old = merged.pop((opposite, want.group_id))
        changes.append(f"- {old.label()} (replaced by {want.label()})")
    old = merged.get(want.key)
    when = f" ({want.schedule.spec()})" if want.schedule else ""
    if old is None:
        changes.append(f"+ {want.label()}{when}")
        merged[want.key] = want
    elif old.schedule != want.schedule:
        before = old.schedule.spec() if old.schedule else "none"
        changes.append(f"~ {want.label()}: schedule {before} -> {want.schedule.spec() if want.schedule else 'none'}")
        merged[want.key] = Assignment(old.odata_type, old.group_id, want.schedule, old.target, old.run_remediation)
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


def publish(client: GraphClient | None, bundle: Bundle, request: AssignmentRequest = AssignmentRequest(), *,
            dry_run: bool = False) -> PublishResult:
    """Create/update the package's remediation, then merge and send its assignments."""
    if client is None and not dry_run:
        raise ConfigError("publishing needs Graph credentials (only --dry-run works offline)")
    result = sync_script(client, bundle, dry_run)
    sync_assignments(client, result, bundle, request, dry_run)
    return result
