"""The Runner protocol, its frozen settings and outcome, and the failure classification.

This module names no concrete runner: the factory is ``remediate.runners.make_runner``. Runners turn every
library exception into a ``RunnerError`` with a stable ``code`` from ``ERROR_CODES`` and a one-line message naming the host; no
traceback ever reaches a record. Nothing is retried: a 401 retried is an account locked out.
"""

from __future__ import annotations

import errno
import http.client
import re
import socket
import ssl
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import requests
import urllib3

from remediate.errors import ConfigError, RunnerError

INTERRUPT_POLL_S = 5  # longest Receive wait, so an interruption is seen within seconds (WS-Man default: 20)
AUTHS = ("negotiate", "ntlm", "kerberos", "credssp", "certificate", "basic")

# Stable error codes of a host's record. Documented here once; the CLI's docs table is generated from it.
ERROR_CODES: dict[str, str] = {
    "dns": "the host name does not resolve",
    "refused": "nothing listens on the WinRM port (service stopped, firewall reject)",
    "unreachable": "no answer to the TCP connection (host off, firewall drop, routing)",
    "tls_certificate": "the server certificate is not trusted or does not match the host name",
    "tls": "the TLS handshake failed for another reason",
    "auth_failed": "the credentials were rejected (HTTP 401); never retried, to avoid lockouts",
    "no_credentials": "no --username and no usable Kerberos ticket (or no Kerberos support) on this machine",
    "http_<status>": "the WinRM service answered an unexpected HTTP status",
    "wsman_fault_<name or code>": "the WS-Management service answered a fault (access_denied, too_many_shells, ...)",
    "protocol_error": "the answer was not WS-Management (a proxy, another service on the port), or the "
                      "connection closed mid-answer",
    "timeout": "the host or the script did not finish within the per-host deadline",
    "powershell_missing": "local runs need powershell.exe (Windows PowerShell 5.1) on PATH",
    "bad_output": "the script ran but its last line is not a remediate result",
    "script_error": "the script failed: non-zero exit or error output from a remediation",
    "still_non_compliant": "the remediation exited 0 but the verify detection still finds the issue",
    "interrupted": "the run was stopped (Ctrl-C) before this host finished",
    "config_error": "the package cannot be run this way (e.g. not embeddable in the user launcher)",
    "internal_error": "a bug in remediate while handling this host (the message names the exception)",
}

# [MS-WSMV] fault codes seen in practice (DOMAIN.md section 7); unknown ones keep their number.
WSMAN_FAULT_NAMES = {
    5: "access_denied",
    2150858793: "operation_timeout",
    2150858843: "shell_not_found",
    2150859025: "envelope_too_large",
    2150859173: "too_many_shells",
    2150858770: "unreachable",
    2150859046: "auth_required",
}


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach one host. ``password`` never appears in repr/str and is never logged."""

    host: str
    transport: str = "psrp"  # a name of remediate.runners.TRANSPORTS; make_runner rejects any other
    port: int | None = None
    ssl: bool = True
    auth: str = "negotiate"
    username: str | None = None
    password: str | None = field(default=None, repr=False, compare=False)
    cert_validation: bool | str = True  # True, False (explicit --insecure), or a CA bundle path
    connect_timeout: float = 10.0
    read_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.auth not in AUTHS:
            raise ConfigError(f"unknown auth {self.auth!r}; expected one of {', '.join(AUTHS)}")
        if self.transport != "local" and self.auth == "basic" and not self.ssl:
            # Basic sends the password in clear text; WinRM refuses it unencrypted too (DOMAIN.md section 7).
            raise ConfigError("basic authentication over plain HTTP is refused: use --ssl")

    @property
    def effective_port(self) -> int:
        return self.port or (5986 if self.ssl else 5985)

    def with_host(self, host: str) -> "ConnectionSettings":
        from dataclasses import replace

        return replace(self, host=host)

    def describe(self) -> dict[str, Any]:
        """A loggable view (no password)."""
        return {"host": self.host, "transport": self.transport, "port": self.effective_port, "ssl": self.ssl,
                "auth": self.auth, "username": self.username,
                "cert_validation": self.cert_validation if isinstance(self.cert_validation, bool) else "ca_bundle"}


@dataclass(frozen=True)
class RunOutcome:
    """What one script run produced. ``errors`` are error records (PSRP) or decoded stderr errors (WinRM)."""

    exit_code: int
    stdout: str
    stderr: str
    errors: tuple[str, ...]
    duration_s: float
    requests: int  # HTTP round trips this run made (auth legs included); 0 for local runs


@runtime_checkable
class Runner(Protocol):
    settings: ConnectionSettings

    def run_script(self, script: str, timeout_s: float) -> RunOutcome: ...

    def interrupt(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> "Runner": ...

    def __exit__(self, *exc: object) -> None: ...


class RunnerBase:
    """Context-manager plumbing and interruption shared by the concrete runners.

    ``interrupt`` may be called from another thread (the fleet's, on Ctrl-C): the runner's own thread sees it
    at its next look - before a script starts, or between two Receives (at most ``INTERRUPT_POLL_S`` apart) -
    stops the pipeline and raises ``interrupted``; the ``with`` block then closes the shell. pypsrp and
    pywinrm objects are not thread-safe, so the other thread never touches the connection itself.
    """

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self._stop_event = threading.Event()

    def interrupt(self) -> None:
        self._stop_event.set()

    def _check_interrupted(self, stage: str) -> None:
        if self._stop_event.is_set():
            raise RunnerError(f"{self.settings.host}: stopped before the script finished", code="interrupted",
                              host=self.settings.host, stage=stage)

    def __enter__(self) -> "RunnerBase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:  # pragma: no cover - overridden
        pass

    def _abandon(self) -> None:  # pragma: no cover - overridden by the remote runners
        pass

    def _classify(self, exc: BaseException, stage: str) -> RunnerError:
        """A library exception as our error: a known network class, else protocol_error. The connection is
        abandoned first, since its state is unknown after a failure."""
        self._abandon()
        err = classify_network(exc, self.settings.host, stage)
        if err is not None:
            return err
        if self._lacks_credentials(exc):
            # Said only once the port is known to answer: a closed port is "refused", not a credentials problem.
            return probe_port(self.settings, stage) or RunnerError(
                f"{self.settings.host}: no credentials: pass --username (password from REMEDIATE_PASSWORD), or "
                "get a Kerberos ticket with kinit", code="no_credentials", host=self.settings.host, stage=stage)
        return RunnerError(f"{self.settings.host}: {stage} failed ({type(exc).__name__}: {one_line(str(exc))})",
                           code="protocol_error", host=self.settings.host, stage=stage)

    def _lacks_credentials(self, exc: BaseException) -> bool:
        """Without --username, Kerberos (alone or through Negotiate) needs a ticket from this machine; the
        libraries report its absence as an ImportError (no gssapi), a SPNEGO error, or (pywinrm) "pykerberos is
        not installed"."""
        if self.settings.username or self.settings.auth not in ("kerberos", "negotiate"):
            return False
        return any(isinstance(e, ImportError) or type(e).__module__.startswith("spnego")
                   or ("kerberos" in str(e).lower() and "not installed" in str(e)) for e in _chain(exc))


def url_host(host: str) -> str:
    """``host`` as it goes into a URL: an IPv6 address in brackets (RFC 3986), anything else as it is."""
    import ipaddress

    try:
        return f"[{ipaddress.IPv6Address(host.strip('[]')).compressed}]"
    except ValueError:
        return host


def probe_port(settings: ConnectionSettings, stage: str) -> RunnerError | None:
    """A plain TCP connection to the WinRM port: the network error if it fails, else None."""
    try:
        socket.create_connection((settings.host, settings.effective_port), timeout=settings.connect_timeout).close()
    except OSError as exc:
        return classify_network(exc, settings.host, stage) or RunnerError(
            f"{settings.host}: connection failed ({type(exc).__name__})", code="unreachable", host=settings.host,
            stage=stage)
    return None


def one_line(text: str | None) -> str:
    """Whitespace folded and cut, for error messages that must stay one line."""
    return " ".join((text or "").split())[:300]


# -- request counting --------------------------------------------------------------------------------------
class RequestCounter:
    """Counts HTTP round trips through a requests session, auth legs included (they bypass Session.send)."""

    def __init__(self) -> None:
        self.count = 0

    def attach(self, session: requests.Session) -> None:
        for prefix in ("http://", "https://"):
            adapter = session.get_adapter(prefix)
            if getattr(adapter, "_remediate_counted", False):
                continue
            original = adapter.send

            def send(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                self.count += 1
                return _original(*args, **kwargs)

            adapter.send = send  # type: ignore[method-assign]
            adapter._remediate_counted = True  # type: ignore[attr-defined]


# -- failure classification ------------------------------------------------------------------------------
def fault_code_name(code: int | str | None) -> str:
    if isinstance(code, int):
        return WSMAN_FAULT_NAMES.get(code, str(code))
    text = re.sub(r"[^a-z0-9]+", "_", str(code or "unknown").split(":")[-1].lower()).strip("_")
    return text or "unknown"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or item in seen:
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__]
        todo += [a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]
        reason = getattr(item, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return seen


def classify_network(exc: BaseException, host: str, stage: str) -> RunnerError | None:
    """Map requests/socket/ssl failures to our codes; None when ``exc`` is not a network failure."""
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain)
    if isinstance(exc, requests.exceptions.SSLError) or any(isinstance(e, ssl.SSLError) for e in chain):
        if "CERTIFICATE_VERIFY_FAILED" in text or "hostname" in text.lower() or "certificate" in text.lower():
            detail = "certificate not trusted" if "VERIFY_FAILED" in text else "certificate rejected"
            return RunnerError(f"{host}: TLS {detail} (pass --ca-bundle, or --insecure explicitly)",
                               code="tls_certificate", host=host, stage=stage)
        return RunnerError(f"{host}: TLS handshake failed", code="tls", host=host, stage=stage)
    if any(isinstance(e, socket.gaierror) for e in chain) or "NameResolutionError" in text \
            or "Name or service not known" in text or "nodename nor servname" in text:
        return RunnerError(f"{host}: host name does not resolve", code="dns", host=host, stage=stage)
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "Connection refused" in text \
            or any(getattr(e, "errno", None) == errno.ECONNREFUSED for e in chain):
        return RunnerError(f"{host}: connection refused (WinRM not listening on that port)", code="refused",
                           host=host, stage=stage)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return RunnerError(f"{host}: no answer to the TCP connection", code="unreachable", host=host, stage=stage)
    if isinstance(exc, (requests.exceptions.ReadTimeout, socket.timeout, TimeoutError)):
        return RunnerError(f"{host}: no answer within the deadline", code="timeout", host=host, stage=stage)
    if _mid_answer(exc, chain):
        return RunnerError(f"{host}: the connection closed mid-answer (the peer is not a working WinRM service)",
                           code="protocol_error", host=host, stage=stage)
    if isinstance(exc, (requests.exceptions.ConnectionError, ConnectionError)):
        return RunnerError(f"{host}: connection failed ({type(exc).__name__})", code="unreachable", host=host,
                           stage=stage)
    if isinstance(exc, (ET.ParseError, UnicodeDecodeError)):
        return RunnerError(f"{host}: the answer is not WS-Management", code="protocol_error", host=host,
                           stage=stage)
    return None


def _mid_answer(exc: BaseException, chain: list[BaseException]) -> bool:
    """The TCP connection was up and the request sent, then it closed before the whole answer: urllib3 says
    "Connection aborted." (no answer, or a reset while reading it) or the body ended early (IncompleteRead,
    ChunkedEncodingError). A refused or timed-out connect never reaches this."""
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return True
    for item in chain:
        if isinstance(item, (http.client.RemoteDisconnected, http.client.IncompleteRead)):
            return True
        if isinstance(item, urllib3.exceptions.ProtocolError) and "Connection aborted" in str(item):
            return True
    return False


def timeout_error(host: str, stage: str, timeout_s: float) -> RunnerError:
    return RunnerError(f"{host}: {stage} did not finish within {timeout_s:g} s", code="timeout", host=host,
                       stage=stage)


# -- CLIXML on stderr ------------------------------------------------------------------------------------
_CLIXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_stderr(raw: str) -> tuple[str, tuple[str, ...]]:
    """Decode PowerShell's CLIXML stderr: keep error strings, drop progress records ("Preparing modules...")."""
    errors: list[str] = []
    plain: list[str] = []
    for chunk in re.split(r"#< CLIXML\r?\n", raw):
        if not chunk.strip():
            continue
        if not chunk.lstrip().startswith("<Objs"):
            plain.extend(line for line in chunk.splitlines() if line.strip())
            continue
        try:
            root = ET.fromstring(chunk.strip())
        except ET.ParseError:
            plain.append(chunk.strip())
            continue
        for el in root.iter():
            if el.tag.endswith("}S") and el.get("S") == "Error" and el.text:
                text = _CLIXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), el.text).strip()
                if text:
                    errors.append(text)
    errors = plain + errors
    return "\n".join(errors), tuple(errors)
