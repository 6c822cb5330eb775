"""A stateful Microsoft Graph (beta) emulator on 127.0.0.1 for the Intune tests.

It serves the endpoints remediate uses (deviceHealthScripts CRUD, assignments, deviceRunStates,
managedDevices, initiateOnDemandProactiveRemediation, roleScopeTags), records every request exactly as received (method,
path, query, headers, JSON body) and injects faults on demand (status, headers, body, N times). Like Graph
(rules and sources in ``graph_rules.py``): the list of scripts omits script content; a create without
``detectionScriptContent``, bad assignment targets, schedules out of range and unknown ``@odata.type``s get
400; PATCH answers 200 with the updated object; assignments read back in Graph's shape (ids
``scriptId:groupId``, filter fields, times ``HH:MM:SS.0000000``, ``runRemediationScript`` as sent); a token
without the needed permission gets Intune's nested 403 body. A script keeps ``roleScopeTagIds`` as sent
(Default "0" when a create sends none); ids that name no scope tag get 400. ``scopes`` sets what the token holds.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import graph_rules as rules
import pytest

TOKEN = "test-token-abc"
PREFIX = "/beta"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    method: str
    path_re: str
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class GraphEmulator:
    def __init__(self, page_size: int = 100) -> None:
        self.page_size = page_size
        self.scripts: dict[str, dict[str, Any]] = {}
        self.assignments: dict[str, list[dict[str, Any]]] = {}
        self.run_states: dict[str, list[dict[str, Any]]] = {}
        self.devices: list[dict[str, str]] = []  # managed devices: id, deviceName, azureADDeviceId
        self.groups: list[dict[str, str]] = []  # Entra groups: id, displayName
        # Intune scope tags: the built-in Default is id "0" in every tenant; add_scope_tag adds "1", "2", ...
        self.scope_tags: list[dict[str, Any]] = [{"id": "0", "displayName": "Default", "description": "",
                                                   "isBuiltIn": True}]
        self.members: dict[str, list[dict[str, Any]]] = {}  # group id -> members (@odata.type, id, deviceId...)
        self.triggered: list[tuple[str, str]] = []
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.scopes: set[str] | None = None  # the token's permissions; None: everything
        self._next_id = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    # -- lifecycle and helpers for tests ------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"

    def start(self) -> GraphEmulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, method: str, path_re: str, status: int, times: int = 1, headers: dict[str, str] | None = None,
             body: bytes = b"") -> None:
        """The next ``times`` requests matching method and path regex (after /beta) answer ``status``."""
        self.faults.append(Fault(method, path_re, status, times, headers or {}, body))

    def add_script(self, display_name: str, **fields: Any) -> str:
        script_id = self._new_id()
        self.scripts[script_id] = {"id": script_id, "displayName": display_name, **fields}
        return script_id

    def add_group(self, display_name: str, members: list[dict[str, Any]] | None = None) -> str:
        group_id = self._new_id()
        self.groups.append({"id": group_id, "displayName": display_name})
        self.members[group_id] = list(members or [])
        return group_id

    def add_scope_tag(self, display_name: str) -> str:
        tag_id = str(max(int(t["id"]) for t in self.scope_tags) + 1)  # Intune's custom tag ids are numbers
        self.scope_tags.append({"id": tag_id, "displayName": display_name, "description": "", "isBuiltIn": False})
        return tag_id

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]

    def _new_id(self) -> str:
        with self._lock:
            self._next_id += 1
            return f"00000000-0000-0000-0000-{self._next_id:012d}"

    # -- dispatch --------------------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        parts = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        parsed = json.loads(body) if body else None
        self.requests.append(Recorded(method, parts.path, query, headers, parsed))
        path = parts.path[len(PREFIX):] if parts.path.startswith(PREFIX) else parts.path
        fault = self._take_fault(method, path)
        if fault is not None:
            return fault.status, fault.headers, fault.body
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return _error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        needed = rules.required_scopes(method, path)
        if self.scopes is not None and needed and not self.scopes & set(needed):
            return rules.forbidden(needed, path)
        try:
            return self._route(method, path, query, parsed)
        except rules.Rejected as exc:
            return rules.intune_error(400, "BadRequest", str(exc), path)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and re.fullmatch(fault.path_re, path):
                    fault.times -= 1
                    return fault
        return None

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, dict, bytes]:
        for pattern, verb, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                return handler(query, body, *match.groups())
        return _error(404, "ResourceNotFound", f"no route {method} {path}")

    def _routes(self) -> list[tuple[str, str, Any]]:
        scripts = r"/deviceManagement/deviceHealthScripts"
        one = scripts + r"/([^/]+)"
        return [
            (scripts, "GET", self._list_scripts),
            (scripts, "POST", self._create_script),
            (one, "GET", self._get_script),
            (one, "PATCH", self._patch_script),
            (one + "/assignments", "GET", self._get_assignments),
            (one + "/assign", "POST", self._assign),
            (one + "/deviceRunStates", "GET", self._run_states),
            (one, "DELETE", self._delete_script),
            (r"/deviceManagement/roleScopeTags", "GET", self._list_scope_tags),
            (r"/groups", "GET", self._list_groups),
            (r"/groups/([^/]+)/transitiveMembers/microsoft\.graph\.device", "GET", self._device_members),
            (r"/deviceManagement/managedDevices", "GET", self._list_devices),
            (r"/deviceManagement/managedDevices/([^/]+)", "GET", self._get_device),
            (r"/deviceManagement/managedDevices/([^/]+)/initiateOnDemandProactiveRemediation", "POST",
             self._trigger),
        ]

    # -- endpoints ---------------------------------------------------------------------------------------
    def _list_scripts(self, query, body):
        items = [{"id": s["id"], "displayName": s["displayName"]} for s in self.scripts.values()]
        return self._page(items, query, "/deviceManagement/deviceHealthScripts")

    def _create_script(self, query, body):
        rules.check_script(body, create=True)
        rules.check_scope_tag_ids(body, {t["id"] for t in self.scope_tags})
        script_id = self._new_id()
        self.scripts[script_id] = {"roleScopeTagIds": [rules.DEFAULT_SCOPE_TAG], **body, "id": script_id}
        return _json(201, self.scripts[script_id])

    def _get_script(self, query, body, script_id):
        if script_id not in self.scripts:
            return _error(404, "ResourceNotFound", "not found")
        return _json(200, self.scripts[script_id])

    def _patch_script(self, query, body, script_id):
        if script_id not in self.scripts:
            return _error(404, "ResourceNotFound", "not found")
        rules.check_script(body, create=False)
        rules.check_scope_tag_ids(body, {t["id"] for t in self.scope_tags})
        self.scripts[script_id].update(body)
        return _json(200, self.scripts[script_id])  # the reference: "200 OK and an updated deviceHealthScript"

    def _delete_script(self, query, body, script_id):
        if self.scripts.pop(script_id, None) is None:
            return _error(404, "ResourceNotFound", "not found")
        self.assignments.pop(script_id, None)
        return 204, {}, b""

    def _list_scope_tags(self, query, body):
        return self._page(self.scope_tags, query, "/deviceManagement/roleScopeTags")

    def _list_groups(self, query, body):
        name = rules.eq_filter(query, "displayName")  # Graph: $filter=displayName eq '...' (exact, case-insensitive)
        items = [g for g in self.groups if name is None or g["displayName"].lower() == name.lower()]
        return self._page(items, query, "/groups")

    def _device_members(self, query, body, group_id):
        if group_id not in self.members:
            return _error(404, "Request_ResourceNotFound", f"Resource '{group_id}' does not exist")
        devices = [m for m in self.members[group_id] if m.get("@odata.type") == rules.DEVICE]
        return self._page(devices, query, f"/groups/{group_id}/transitiveMembers/microsoft.graph.device")

    def _get_assignments(self, query, body, script_id):
        if script_id not in self.scripts:
            return _error(404, "ResourceNotFound", "not found")
        items = [rules.read_back(script_id, a) for a in self.assignments.get(script_id, [])]
        return _json(200, {"value": items})

    def _assign(self, query, body, script_id):
        if script_id not in self.scripts:
            return _error(404, "ResourceNotFound", "not found")
        self.assignments[script_id] = rules.check_assignments(body)
        return 204, {}, b""

    def _run_states(self, query, body, script_id):
        if script_id not in self.scripts:
            return _error(404, "ResourceNotFound", "not found")
        base = f"/deviceManagement/deviceHealthScripts/{script_id}/deviceRunStates"
        return self._page(self.run_states.get(script_id, []), query, base)

    def _list_devices(self, query, body):
        items = self.devices
        name = rules.eq_filter(query, "deviceName")
        if name is not None:
            items = [d for d in items if d["deviceName"].lower() == name.lower()]
        aad = rules.eq_filter(query, "azureADDeviceId")
        if aad is not None:
            items = [d for d in items if d.get("azureADDeviceId", "").lower() == aad.lower()]
        return _json(200, {"value": items})

    def _get_device(self, query, body, device_id):
        for device in self.devices:
            if device["id"] == device_id:
                return _json(200, device)
        return _error(404, "ResourceNotFound", "not found")

    def _trigger(self, query, body, device_id):
        if not any(d["id"] == device_id for d in self.devices):
            return _error(404, "ResourceNotFound", "not found")
        if not isinstance(body, dict) or not isinstance(body.get("scriptPolicyId"), str):
            raise rules.Rejected("scriptPolicyId is required")
        self.triggered.append((device_id, body["scriptPolicyId"]))
        return 204, {}, b""

    def _page(self, items: list, query: dict[str, str], path: str) -> tuple[int, dict, bytes]:
        skip = int(query.get("$skiptoken", "0"))
        chunk = items[skip:skip + self.page_size]
        answer: dict[str, Any] = {"value": chunk}
        if skip + self.page_size < len(items):
            answer["@odata.nextLink"] = f"{self.base_url}{path}?$skiptoken={skip + self.page_size}"
        return _json(200, answer)


def _json(status: int, data: Any) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


def _error(status: int, code: str, message: str) -> tuple[int, dict, bytes]:
    return _json(status, {"error": {"code": code, "message": message}})


def _handler_for(emulator: GraphEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, data = emulator.handle(self.command, self.path, dict(self.headers), body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


@pytest.fixture
def graph():
    """A running emulator; stopped after the test."""
    emulator = GraphEmulator().start()
    yield emulator
    emulator.stop()
