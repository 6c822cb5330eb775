"""A PSRP shell of the loopback server bridged to a real PowerShell in out-of-process server mode (``pwsh -s``).

``pwsh -s`` speaks PSRP on stdin/stdout, one XML element per line (PowerShell's OutOfProcessUtils):

    <Data Stream='Default' PSGuid='{guid}'>{base64 PSRP fragments}</Data>    both ways; answered by DataAck
    <Command PSGuid='{pipeline}' />      a new pipeline (then its Data)     answered by CommandAck
    <Signal PSGuid='{pipeline}' />       stop the pipeline                  answered by SignalAck
    <Close PSGuid='{guid}' />            close a pipeline, or the pool      answered by CloseAck

The pool's guid is all zeros. WS-Management carries the same fragments (Create's creationXml, Command's
argument, Send, Receive), so this shell only re-frames them: runspace-pool open, pipelines, host calls
(SetShouldExit from ``exit N``), streams, stop and close all run in real PowerShell.

``PwshConfig`` says how PowerShell starts: the executable (env REMEDIATE_PWSH, else ``pwsh`` on PATH), extra
environment variables and extra arguments before ``-s``. ``-s`` runs no script of its own; a test that makes the
host a simulated Windows gives ``rewrite`` (e.g. tests/simwin/splice.py's ``splice``): every pipeline's script
text is passed through it before PowerShell sees it (the CreatePipeline message is reassembled from its
fragments, its command text rewritten and sent on as one fragment), and the machine through ``env``.
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import subprocess
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable

import psrpcore
from psrpcore.types import PSRPMessageType
from psrpcore.types._serializer import _deserialize_string, _serialize_string

from .wsman import NS, WSManFault

EMPTY = uuid.UUID(int=0)
OPERATION_TIMEOUT = 2150858793
_PACKET = re.compile(r"<(\w+)(?: Stream='(\w+)')? PSGuid='([0-9a-fA-F-]+)'\s*(?:/>|>([^<]*)</\w+>)")


def find_pwsh() -> str | None:
    return os.environ.get("REMEDIATE_PWSH") or shutil.which("pwsh")


@dataclass(frozen=True)
class PwshConfig:
    """How a host's PowerShell starts; a test adds environment (e.g. a simulated Windows) or arguments."""

    executable: str | None = None  # None: find_pwsh()
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ("-NoLogo", "-NoProfile")
    rewrite: Callable[[str], str] | None = None  # script text -> the text PowerShell runs (a simulated Windows)

    def argv(self) -> list[str]:
        exe = self.executable or find_pwsh()
        if exe is None:
            raise FileNotFoundError("pwsh not found (set REMEDIATE_PWSH)")
        return [exe, *self.args, "-s"]


class PwshShell:
    """One runspace pool = one ``pwsh -s`` process."""

    def __init__(self, host, shell_id: str, creation: bytes, config: PwshConfig) -> None:
        self.host = host
        self.id = shell_id
        self.queues: dict[uuid.UUID | None, bytearray] = {}
        self.proc = subprocess.Popen(config.argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env={**os.environ, **config.env}, text=True,
                                     bufsize=1)
        self.write_lock = threading.Lock()
        self.rewriter = _Rewriter(config.rewrite) if config.rewrite else None
        threading.Thread(target=self._read, name=f"pwsh-{shell_id[:8]}", daemon=True).start()
        self._data(EMPTY, creation)

    # -- to PowerShell ----------------------------------------------------------------------------------
    def _line(self, text: str) -> None:
        with self.write_lock:
            try:
                self.proc.stdin.write(text + "\n")
                self.proc.stdin.flush()
            except (OSError, ValueError):
                pass

    def _data(self, guid: uuid.UUID, data: bytes) -> None:
        if data and guid != EMPTY and self.rewriter is not None:
            data = self.rewriter.feed(guid, data)
        if data:
            self._line(f"<Data Stream='Default' PSGuid='{guid}'>{base64.b64encode(data).decode()}</Data>")

    def command(self, command_id: str, args: list[str]) -> str:
        pid = uuid.UUID(command_id)
        self._line(f"<Command PSGuid='{pid}' />")
        self._data(pid, base64.b64decode(args[0]) if args else b"")
        return command_id

    def send(self, stream: str, command_id: str | None, data: bytes, end: bool) -> None:
        self._data(uuid.UUID(command_id) if command_id else EMPTY, data)

    def signal(self, command_id: str, code: str) -> None:
        pid = uuid.UUID(command_id)
        if code.lower().endswith("ctrl_c"):
            self._line(f"<Signal PSGuid='{pid}' />")
        elif code.lower().endswith("terminate"):
            self._line(f"<Close PSGuid='{pid}' />")

    def close(self) -> None:
        self._line(f"<Close PSGuid='{EMPTY}' />")
        try:
            self.proc.stdin.close()
            self.proc.wait(5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.proc.kill()

    # -- from PowerShell --------------------------------------------------------------------------------
    def _read(self) -> None:
        for line in self.proc.stdout:
            match = _PACKET.search(line)
            if match is None or match.group(1) != "Data":
                continue  # the acks: stdin is ordered, nothing waits for them
            guid = uuid.UUID(match.group(3))
            with self.host.cond:
                self.queues.setdefault(None if guid == EMPTY else guid, bytearray()).extend(
                    base64.b64decode(match.group(4) or ""))
                self.host.cond.notify_all()
        with self.host.cond:
            self.host.cond.notify_all()

    def receive(self, command_id: str | None, timeout_s: float) -> ET.Element:
        from .shells import _wait

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


_CMD = re.compile(r'(<S N="Cmd">)([^<]*)(</S>)')


class _Rewriter:
    """Reassembles a pipeline's fragments into messages; a CreatePipeline's command texts go through
    ``rewrite``. Returns the bytes to pass on (whole messages, one fragment each)."""

    def __init__(self, rewrite: Callable[[str], str]) -> None:
        self.rewrite = rewrite
        self.pending: dict[uuid.UUID, bytearray] = {}
        self.parts: dict[tuple[uuid.UUID, int], bytearray] = {}

    def feed(self, guid: uuid.UUID, data: bytes) -> bytes:
        buf = self.pending.setdefault(guid, bytearray())
        buf += data
        out = bytearray()
        while len(buf) >= 21:
            fragment = psrpcore._payload.unpack_fragment(buf)
            size = 21 + len(fragment.data)
            if len(buf) < size or len(fragment.data) < int.from_bytes(buf[17:21], "big"):
                break  # the rest of this fragment comes in the next Send
            del buf[:size]
            key = (guid, fragment.object_id)
            message = self.parts.setdefault(key, bytearray())
            message += fragment.data
            if fragment.end:
                del self.parts[key]
                out += psrpcore._payload.create_fragment(fragment.object_id, 0, self._message(bytes(message)))
        return bytes(out)

    def _message(self, raw: bytes) -> bytes:
        if int.from_bytes(raw[4:8], "little") != PSRPMessageType.CreatePipeline.value:
            return raw
        body = raw[40:].decode("utf-8-sig")

        def one(match: re.Match[str]) -> str:
            text = _deserialize_string(html.unescape(match.group(2)))
            return match.group(1) + html.escape(_serialize_string(self.rewrite(text)), quote=False) + match.group(3)

        return raw[:40] + _CMD.sub(one, body).encode("utf-8")


__all__ = ["PwshConfig", "PwshShell", "find_pwsh"]
