"""A loopback WS-Management server: HTTP/HTTPS on 127.0.x.y, NTLM (pyspnego acceptor), WinRM encryption.

Each loopback "host" is its own address in 127.0.0.0/8 with one shared port, so a fleet of hosts looks like
a fleet to the client (distinct names, one ``--port``). One thread accepts on every listening socket; each
TCP connection gets a thread (NTLM authenticates a connection, so its context lives with the connection).
"""

from __future__ import annotations

import base64
import errno
import itertools
import os
import re
import selectors
import socket
import ssl
import struct
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import spnego
from spnego.exceptions import SpnegoError

from . import wsman
from .certs import make_self_signed
from .cmd_bridge import PwshCmdShell
from .engine import HostProgram
from .pwsh_bridge import PwshShell
from .shells import CMD_URI, SHELL_NOT_FOUND, CmdShell, HostState, PsrpShell
from .wsman import NS, WSManFault

SPNEGO_ENCRYPTED = "application/HTTP-SPNEGO-session-encrypted"
BOUNDARY = b"--Encrypted Boundary"
HANG_MAX_S = 300.0
MAX_ENVELOPE = 512000  # MaxEnvelopeSizekb = 500, the default since Windows Server 2012
_ADDRESSES = itertools.count(0)  # process-wide, so two servers never hand out the same address


def next_address() -> str:
    n = next(_ADDRESSES)
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def _unwrap(ctx, body: bytes) -> bytes:
    parts = [p for p in re.split(re.escape(BOUNDARY) + rb"(?:--)?\r\n", body) if p]
    out = b""
    for i in range(0, len(parts) - 1, 2):
        payload = parts[i + 1].replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
        hlen = struct.unpack("<i", payload[:4])[0]
        out += ctx.unwrap_winrm(payload[4:4 + hlen], payload[4 + hlen:])
    return out


def _wrap(ctx, data: bytes) -> tuple[str, bytes]:
    res = ctx.wrap_winrm(data)
    head = (
        BOUNDARY + b"\r\n\tContent-Type: " + SPNEGO_ENCRYPTED.encode() + b"\r\n"
        b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
        + str(len(data) + res.padding_length).encode() + b"\r\n" + BOUNDARY + b"\r\n"
        b"\tContent-Type: application/octet-stream\r\n"
    )
    body = head + struct.pack("<i", len(res.header)) + res.header + res.data + BOUNDARY + b"--\r\n"
    return f'multipart/encrypted;protocol="{SPNEGO_ENCRYPTED}";boundary="Encrypted Boundary"', body


class _CountingWriter:
    """The handler's socket writer, counting every byte sent into the host's ``bytes_out``."""

    def __init__(self, inner, host: HostState) -> None:
        self._inner = inner
        self._host = host

    def write(self, data: bytes) -> int:
        with self._host.cond:
            self._host.bytes_out += len(data)
        return self._inner.write(data)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    server: "LoopbackServer"  # type: ignore[assignment]

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile, self.server.host_for(self.connection.getsockname()))
        self.ctx = None
        self.scheme = "Negotiate"
        self.authed = False

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base class
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reject(self, token: str = "") -> None:
        offers = "Negotiate" + (f" {token}" if token else "")
        headers = {"WWW-Authenticate": offers}
        if self.server.ssl and not token:
            headers = {"WWW-Authenticate": 'Negotiate, Basic realm="WSMAN"'}
        self._send(401, b"", headers)

    def _authenticate(self, host: HostState) -> tuple[bool, str | None]:
        """(authenticated now, final token for the answer). Answers the 401s itself."""
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic" and token:
            return self._basic(host, token), None
        if scheme.lower() not in ("negotiate", "ntlm") or not token:
            self._reject()
            return False, None
        raw = base64.b64decode(token)
        if self.ctx is None or self.ctx.complete:
            protocol = "ntlm" if raw.startswith(b"NTLMSSP\x00") else "negotiate"
            self.ctx, self.scheme = spnego.server(protocol=protocol), scheme
        try:
            out = self.ctx.step(raw)
        except SpnegoError:
            with host.cond:
                host.auth_attempts += 1
            self.ctx = None
            self._reject()
            return False, None
        if not self.ctx.complete:
            self._reject(base64.b64encode(out or b"").decode())
            return False, None
        with host.cond:
            host.auth_attempts += 1
        if host.program.auth_fail:
            self.ctx = None
            self._reject()
            return False, None
        self.authed = True
        return True, (f"{self.scheme} {base64.b64encode(out).decode()}" if out else None)

    def _basic(self, host: HostState, token: str) -> bool:
        user, _, password = base64.b64decode(token).decode("utf-8", "replace").partition(":")
        with host.cond:
            host.auth_attempts += 1
        ok = self.server.ssl and not host.program.auth_fail and self.server.check_user(user, password)
        if not ok:
            self._reject()
        return ok

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        host = self.server.host_for(self.connection.getsockname())
        with host.cond:
            host.requests += 1
            number = host.requests
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with host.cond:
            host.bytes_in += len(self.requestline) + 2 + len(self.headers.as_bytes()) + len(body)
        if host.program.http_hang:
            self.server.stopping.wait(HANG_MAX_S)
            self.close_connection = True
            return
        if host.program.latency_s:
            time.sleep(host.program.latency_s)
        if number == host.program.drop_at:  # a host that drops the connection mid-stream
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if number == host.program.truncate_at:
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b"<s:Envelope xmlns:s=")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        extra: dict[str, str] = {}
        if not self.authed:
            ok, final = self._authenticate(host)
            if not ok:
                return
            if final:
                extra["WWW-Authenticate"] = final
        encrypted = self.headers.get("Content-Type", "").startswith("multipart/encrypted")
        if encrypted:
            body = _unwrap(self.ctx, body)
        if not body:
            self._send(200, b"", extra)
            return
        if host.program.http_garbage:
            self._send(200, b"\x00\x01 this is not WS-Management <<<", {"Content-Type": "application/soap+xml"})
            return
        status, answer = self.server.dispatch(host, body, self.connection.getsockname())
        if encrypted:
            content_type, answer = _wrap(self.ctx, answer)
        else:
            content_type = "application/soap+xml;charset=UTF-8"
        self._send(status, answer, {"Content-Type": content_type, **extra})


class LoopbackServer:
    """Programmable WS-Management peers on loopback addresses. Use as a context manager."""

    def __init__(self, workdir: Path, *, use_ssl: bool = False,
                 users: tuple[tuple[str, str, str], ...] = (("LOOPBACK", "admin", "Loopback-Pa55word!"),)) -> None:
        self.workdir = Path(workdir)
        self.ssl = use_ssl
        self.users = users
        self.port = 0
        self.hosts: dict[tuple[str, int], HostState] = {}
        self.stopping = threading.Event()
        self._selector = selectors.DefaultSelector()
        self._listeners: list[socket.socket] = []
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ssl_ctx: ssl.SSLContext | None = None
        self.ca_file: Path | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def __enter__(self) -> "LoopbackServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        users_file = self.workdir / "ntlm_users"
        users_file.write_text("".join(f"{d}:{u}:{p}\n" for d, u, p in self.users))
        os.environ["NTLM_USER_FILE"] = str(users_file)
        if self.ssl:
            cert, key = make_self_signed(self.workdir)
            self.ca_file = cert
            self._ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._ssl_ctx.load_cert_chain(cert, key)
        self._thread = threading.Thread(target=self._accept_loop, name="wsman-loopback", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        with self._lock:
            for sock in list(self._listeners) + list(self._connections):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        for host in self.hosts.values():
            with host.cond:
                for shell in host.shells.values():
                    shell.close()
                host.cond.notify_all()

    # -- hosts -----------------------------------------------------------------------------------------
    def add_host(self, program: HostProgram | None = None, address: str | None = None) -> str:
        """Start listening for one more host; returns its name (a loopback address). ``address`` picks one,
        e.g. '::1' (IPv6; on the server's port, which must then be free there too)."""
        wanted = address
        for _ in range(1 if wanted else 20):
            address = wanted or next_address()
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((address, self.port))
            except OSError as exc:
                sock.close()
                if exc.errno == errno.EADDRINUSE:
                    continue
                raise
            sock.listen(64)
            sock.setblocking(False)
            self.port = sock.getsockname()[1]
            with self._lock:
                self._listeners.append(sock)
                self.hosts[(address, self.port)] = HostState(address, program or HostProgram())
                self._selector.register(sock, selectors.EVENT_READ)
            return address
        raise RuntimeError("no free loopback address")

    def host(self, name: str) -> HostState:
        return self.hosts[(name, self.port)]

    def host_for(self, sockname: tuple) -> HostState:
        return self.hosts[tuple(sockname[:2])]

    def check_user(self, user: str, password: str) -> bool:
        name = user.split("\\")[-1].lower()
        return any(u.lower() == name and p == password for _, u, p in self.users)

    # -- network ---------------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                events = self._selector.select(timeout=0.2)
            except (OSError, ValueError):
                events = []
            for key, _ in events:
                try:
                    conn, _addr = key.fileobj.accept()  # type: ignore[union-attr]
                except OSError:
                    continue
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.setblocking(True)
        conn.settimeout(120)
        # Headers and body go out in two writes; with Nagle on, the second waits for the client's delayed
        # ACK (40 ms on Linux) - an artefact that HTTP.sys does not have.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._connections.add(conn)
        try:
            if self._ssl_ctx is not None:
                conn = self._ssl_ctx.wrap_socket(conn, server_side=True)
                with self._lock:
                    self._connections.add(conn)
            _Handler(conn, conn.getpeername(), self)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            with self._lock:
                self._connections.discard(conn)
            conn.close()

    # -- WS-Management ---------------------------------------------------------------------------------
    def dispatch(self, host: HostState, body: bytes, sockname) -> tuple[int, bytes]:
        if len(body) > MAX_ENVELOPE:
            return 500, wsman.fault("", WSManFault(2150859025, "The request is too large.", "w:EncodingLimit"), host.name)
        try:
            req = wsman.parse(body)
        except (ValueError, SyntaxError):
            return 400, b""
        name = f"[{sockname[0]}]" if ":" in sockname[0] else sockname[0]
        endpoint = f"{'https' if self.ssl else 'http'}://{name}:{sockname[1]}/wsman"
        try:
            with host.cond:
                return 200, self._handle(host, req, endpoint)
        except WSManFault as err:
            return 500, wsman.fault(req.message_id, err, host.name)

    def _handle(self, host: HostState, req: wsman.Request, endpoint: str) -> bytes:
        verb, mid = req.verb, req.message_id
        if verb == "Create":
            if host.program.fault_code is not None:
                raise WSManFault(host.program.fault_code, "Access is denied.", subcode="w:AccessDenied")
            shell_el = req.body.find("rsp:Shell", NS)
            shell_id = (shell_el.get("ShellId") if shell_el is not None else None) or str(uuid.uuid4()).upper()
            host.shells_created += 1
            if req.resource_uri == CMD_URI and host.program.pwsh is not None:
                host.shells[shell_id] = PwshCmdShell(host, shell_id, host.program.pwsh, self.workdir)
            elif req.resource_uri == CMD_URI:
                host.shells[shell_id] = CmdShell(host, shell_id)
            else:
                creation = wsman.b64(shell_el.find("pwsh:creationXml", NS) if shell_el is not None else None)
                if host.program.pwsh is not None:
                    host.shells[shell_id] = PwshShell(host, shell_id, creation, host.program.pwsh)
                else:
                    host.shells[shell_id] = PsrpShell(host, shell_id, creation)
            return wsman.envelope(wsman.ACTION + "CreateResponse", mid,
                                  *wsman.created(req.resource_uri, shell_id, endpoint))
        shell = host.shells.get(req.shell_id or "")
        if shell is None:
            raise WSManFault(SHELL_NOT_FOUND, "The request for the Windows Remote Shell failed because the shell "
                             "was not found on the server.", subcode="w:InvalidSelectors")
        if verb == "Command":
            line = req.body.find("rsp:CommandLine", NS)
            args = [a.text or "" for a in line.findall("rsp:Arguments", NS)]
            if isinstance(shell, CmdShell):
                cid = shell.command(line.get("CommandId"), args, line.findtext("rsp:Command", "", NS))
            else:
                cid = shell.command(line.get("CommandId") or str(uuid.uuid4()).upper(), args)
            resp = _el("CommandResponse")
            _sub(resp, "CommandId").text = cid
            return wsman.envelope(wsman.SHELL_ACTION + "CommandResponse", mid, resp)
        if verb == "Send":
            for stream in req.body.findall("rsp:Send/rsp:Stream", NS):
                shell.send(stream.get("Name", "stdin"), stream.get("CommandId"), wsman.b64(stream),
                           stream.get("End", "").lower() == "true")
            return wsman.envelope(wsman.SHELL_ACTION + "SendResponse", mid, _el("SendResponse"))
        if verb == "Receive":
            desired = req.body.find("rsp:Receive/rsp:DesiredStream", NS)
            cid = desired.get("CommandId") if desired is not None else None
            answer = shell.receive(cid, req.operation_timeout_s)
            return wsman.envelope(wsman.SHELL_ACTION + "ReceiveResponse", mid, answer)
        if verb == "Signal":
            sig = req.body.find("rsp:Signal", NS)
            shell.signal(sig.get("CommandId", ""), sig.findtext("rsp:Code", "", NS))
            return wsman.envelope(wsman.SHELL_ACTION + "SignalResponse", mid, _el("SignalResponse"))
        if verb == "Delete":
            shell.close()
            host.shells.pop(shell.id, None)
            host.closed_at = time.time()
            return wsman.envelope(wsman.ACTION + "DeleteResponse", mid)
        raise WSManFault(2150858817, f"The action {req.action} is not supported by the service.",
                         subcode="wsa:ActionNotSupported")


def _el(name: str) -> ET.Element:
    return ET.Element(f"{{{NS['rsp']}}}{name}")


def _sub(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NS['rsp']}}}{name}")
