"""WS-Management shells of the loopback server: the PSRP shell (psrpcore server side) and the cmd shell.

One ``HostState`` per loopback host holds its shells, its program and its counters. Every mutation happens
under ``HostState.cond`` (psrpcore objects are not thread-safe); script runs play in their own threads and
wake waiting Receive requests through the same condition.
"""

from __future__ import annotations

import base64
import functools
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import psrpcore
from psrpcore.types import (
    ErrorCategory,
    ErrorCategoryInfo,
    ErrorRecord,
    NETException,
    PSInvocationState,
)

from .engine import HostProgram, Run, plan

# psrpcore unescapes CLIXML strings one regex callback per control character: a 100 KB CRLF script costs
# the loopback host ~10 ms of CPU per pipeline, and with hundreds of hosts in one process (bench/fleet.py)
# that, not the client, became the bottleneck. Every host receives the same script text: unescape it once.
_UNESCAPE_CACHED_MIN = 4096
_unescape = psrpcore.types._serializer._deserialize_string
_unescape_long = functools.lru_cache(maxsize=32)(_unescape)


def _deserialize_string(value: str) -> str:
    return _unescape_long(value) if value is not None and len(value) >= _UNESCAPE_CACHED_MIN else _unescape(value)


psrpcore.types._serializer._deserialize_string = _deserialize_string
from .wsman import NS, WSManFault

PSRP_URI = "http://schemas.microsoft.com/powershell/Microsoft.PowerShell"
CMD_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
DONE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
RUNNING = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"
HANG_MAX_S = 300.0
CMD_LINE_LIMIT = 8191  # cmd.exe's command-line limit (DOMAIN.md section 7)
OPERATION_TIMEOUT = 2150858793
SHELL_NOT_FOUND = 2150858843

_PROGRESS_CLIXML = (
    '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T>'
    '<T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first '
    "use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>"
)


@dataclass
class HostState:
    name: str
    program: HostProgram
    requests: int = 0
    bytes_in: int = 0  # HTTP bytes received: request line, headers and body
    bytes_out: int = 0  # HTTP bytes sent: status line, headers and body
    auth_attempts: int = 0
    shells_created: int = 0
    closed_at: float | None = None  # wall clock of the last shell Delete (the client is done with the host)
    scripts: list[str] = field(default_factory=list)
    shells: dict[str, "PsrpShell | CmdShell"] = field(default_factory=dict)
    cond: threading.Condition = field(default_factory=lambda: threading.Condition(threading.RLock()))
    program_lock: threading.Lock = field(default_factory=threading.Lock)

    def plan(self, script: str) -> Run:
        with self.cond:
            self.scripts.append(script)
        return plan(self.program, script, self.program_lock)


def _wait(host: HostState, ready, timeout_s: float) -> bool:
    """Wait (holding host.cond) until ready() is true or the WS-Man operation timeout passes."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        host.cond.wait(remaining)
    return True


class PsrpShell:
    """A Runspace Pool: PSRP fragments in Create/Command/Send, out through Receive, per pipeline."""

    def __init__(self, host: HostState, shell_id: str, creation: bytes) -> None:
        self.host = host
        self.id = shell_id
        self.pool = psrpcore.ServerRunspacePool()
        self.queues: dict[uuid.UUID | None, bytearray] = {}
        self.stops: dict[uuid.UUID, threading.Event] = {}
        self.feed(creation, None)

    def feed(self, data: bytes, pipeline_id: uuid.UUID | None) -> None:
        self.pool.receive_data(psrpcore.PSRPPayload(data, psrpcore.StreamType.default, pipeline_id))
        while (event := self.pool.next_event()) is not None:
            if isinstance(event, psrpcore.CreatePipelineEvent):
                self._start(event.pipeline_id)
        self.drain()

    def drain(self) -> None:
        while (payload := self.pool.data_to_send()) is not None:
            self.queues.setdefault(payload.pipeline_id, bytearray()).extend(payload.data)
        self.host.cond.notify_all()

    def command(self, command_id: str, args: list[str]) -> str:
        pid = uuid.UUID(command_id)
        psrpcore.ServerPipeline(self.pool, pid)
        self.feed(base64.b64decode(args[0]) if args else b"", pid)
        return command_id

    def send(self, stream: str, command_id: str | None, data: bytes, end: bool) -> None:
        self.feed(data, uuid.UUID(command_id) if command_id else None)

    def _start(self, pid: uuid.UUID) -> None:
        pipeline = self.pool.pipeline_table[pid]
        script = "\n".join(c.command_text for c in pipeline.metadata.commands)
        stop = self.stops[pid] = threading.Event()
        # Windows sends no PIPELINE_STATE Running (only the final state); psrpcore's start() would, and the
        # client would then spend one more Receive per pipeline on it.
        pipeline._change_state(PSInvocationState.Running, emit=False)
        threading.Thread(target=self._play, args=(pipeline, self.host.plan(script), stop), daemon=True).start()

    def _play(self, pipeline, run: Run, stop: threading.Event) -> None:
        for step in run.steps:
            if step.kind == "sleep" and stop.wait(float(step.value)):
                return
            if step.kind == "hang":
                stop.wait(HANG_MAX_S)
                return
            with self.host.cond:
                if stop.is_set():
                    return
                if step.kind == "output":
                    pipeline.write_output(step.value)
                elif step.kind == "error":
                    pipeline.write_error(NETException(Message=str(step.value)))
                self.drain()
        with self.host.cond:
            if stop.is_set():
                return
            if run.throw is not None:
                record = ErrorRecord(
                    Exception=NETException(Message=run.throw),
                    CategoryInfo=ErrorCategoryInfo(Category=ErrorCategory.OperationStopped, Reason="RuntimeException"),
                    FullyQualifiedErrorId=run.throw,
                )
                pipeline._change_state(PSInvocationState.Failed, error=record)
            else:
                if run.exit_code is not None:
                    psrpcore.ServerHostRequestor(pipeline).set_should_exit(run.exit_code)
                pipeline.complete()
            self.drain()

    def receive(self, command_id: str | None, timeout_s: float) -> ET.Element:
        key = uuid.UUID(command_id) if command_id else None
        if not _wait(self.host, lambda: bool(self.queues.get(key)), timeout_s):
            raise WSManFault(OPERATION_TIMEOUT, "The WS-Management service cannot complete the operation within "
                             "the time specified in OperationTimeout.", subcode="w:TimedOut")
        data = bytes(self.queues.pop(key))
        response = ET.Element(f"{{{NS['rsp']}}}ReceiveResponse")
        stream = ET.SubElement(response, f"{{{NS['rsp']}}}Stream", Name="stdout")
        if command_id:
            stream.set("CommandId", command_id)
        stream.text = base64.b64encode(data).decode()
        return response

    def signal(self, command_id: str, code: str) -> None:
        pid = uuid.UUID(command_id)
        pipeline = self.pool.pipeline_table.get(pid)
        if pid in self.stops:
            self.stops[pid].set()
        if pipeline is None:
            return
        if code.lower().endswith("ctrl_c") and pipeline.state == PSInvocationState.Running:
            pipeline.stop()
            self.drain()
        elif code.lower().endswith("terminate") and pipeline.state != PSInvocationState.Running:
            pipeline.close()
            self.queues.pop(pid, None)

    def close(self) -> None:
        for stop in self.stops.values():
            stop.set()


@dataclass
class _Command:
    id: str
    script_from_stdin: bool
    stdin: bytearray = field(default_factory=bytearray)
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    exit_code: int | None = None
    stop: threading.Event = field(default_factory=threading.Event)


def _clixml(errors: list[str]) -> bytes:
    def esc(text: str) -> str:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text + "_x000D__x000A_"

    body = _PROGRESS_CLIXML + "".join(f'<S S="Error">{esc(e)}</S>' for e in errors)
    return ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
            + body + "</Objs>").encode()


class CmdShell:
    """A WinRS cmd shell: powershell.exe launched by a command line, script text on stdin or -EncodedCommand."""

    def __init__(self, host: HostState, shell_id: str) -> None:
        self.host = host
        self.id = shell_id
        self.commands: dict[str, _Command] = {}

    def command(self, command_id: str | None, args: list[str], executable: str = "") -> str:
        line = " ".join([executable, *args]).strip()
        cmd = _Command(command_id or str(uuid.uuid4()).upper(), script_from_stdin=False)
        self.commands[cmd.id] = cmd
        if len(line) > CMD_LINE_LIMIT:
            cmd.stderr += b"The command line is too long.\r\n"
            cmd.exit_code = 1
            return cmd.id
        encoded = re.search(r"-(?:EncodedCommand|enc|e)\s+([A-Za-z0-9+/=]+)", line, re.I)
        text = base64.b64decode(encoded.group(1)).decode("utf-16-le") if encoded else line
        cmd.script_from_stdin = "$input" in text.lower() or "[console]::in" in text.lower()
        if not cmd.script_from_stdin:
            self._start(cmd, text)
        return cmd.id

    def send(self, stream: str, command_id: str | None, data: bytes, end: bool) -> None:
        cmd = self.commands.get(command_id or "")
        if cmd is None:
            raise WSManFault(SHELL_NOT_FOUND, "The request for the Windows Remote Shell with ShellId failed "
                             "because the command was not found.")
        cmd.stdin += data
        if end and cmd.script_from_stdin:
            self._start(cmd, cmd.stdin.decode("utf-8", "replace"))

    def _start(self, cmd: _Command, script: str) -> None:
        threading.Thread(target=self._play, args=(cmd, self.host.plan(script)), daemon=True).start()

    def _play(self, cmd: _Command, run: Run) -> None:
        errors: list[str] = []
        for step in run.steps:
            if step.kind == "sleep" and cmd.stop.wait(float(step.value)):
                return
            if step.kind == "hang":
                cmd.stop.wait(HANG_MAX_S)
                return
            with self.host.cond:
                if step.kind == "output":
                    cmd.stdout += (str(step.value) + "\r\n").encode("ascii", "replace")
                elif step.kind == "error":
                    errors.append(str(step.value))
                self.host.cond.notify_all()
        with self.host.cond:
            if run.throw is not None:
                errors.append(run.throw)
            cmd.stderr += _clixml(errors)
            cmd.exit_code = 1 if run.throw is not None else (run.exit_code or 0)
            self.host.cond.notify_all()

    def receive(self, command_id: str | None, timeout_s: float) -> ET.Element:
        cmd = self.commands.get(command_id or "")
        if cmd is None:
            raise WSManFault(SHELL_NOT_FOUND, "The command was not found.")
        ready = lambda: bool(cmd.stdout or cmd.stderr) or cmd.exit_code is not None  # noqa: E731
        if not _wait(self.host, ready, timeout_s):
            raise WSManFault(OPERATION_TIMEOUT, "The WS-Management service cannot complete the operation within "
                             "the time specified in OperationTimeout.", subcode="w:TimedOut")
        response = ET.Element(f"{{{NS['rsp']}}}ReceiveResponse")
        for name, buf in (("stdout", cmd.stdout), ("stderr", cmd.stderr)):
            stream = ET.SubElement(response, f"{{{NS['rsp']}}}Stream", Name=name, CommandId=cmd.id)
            stream.text = base64.b64encode(bytes(buf)).decode()
            buf.clear()
        state = ET.SubElement(response, f"{{{NS['rsp']}}}CommandState", CommandId=cmd.id,
                              State=DONE if cmd.exit_code is not None else RUNNING)
        if cmd.exit_code is not None:
            ET.SubElement(state, f"{{{NS['rsp']}}}ExitCode").text = str(cmd.exit_code)
        return response

    def signal(self, command_id: str, code: str) -> None:
        cmd = self.commands.pop(command_id, None)
        if cmd is not None:
            cmd.stop.set()

    def close(self) -> None:
        for cmd in self.commands.values():
            cmd.stop.set()
