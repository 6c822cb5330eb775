"""PSRP runner (pypsrp): one WSMan connection and one Runspace Pool per host, reused for every phase.

Why not ``Client.execute_ps``: it opens a pool per call and loses ``exit N``. The protocol carries no exit
code; PowerShell reports ``exit N`` through the host's SetShouldExit, which pypsrp's ``PSHost`` stores in
``host.rc`` (DOMAIN.md section 7). pypsrp has no overall deadline, so we poll with a bounded operation
timeout and stop the pipeline when the deadline passes. Objects are not thread-safe: one runner per worker.
"""

from __future__ import annotations

import functools
import threading
import time
import xml.etree.ElementTree as ET

import requests
import spnego
from pypsrp.exceptions import AuthenticationError, WinRMError, WinRMTransportError, WSManFaultError
from pypsrp.host import PSHost
from pypsrp.messages import CreatePipeline
from pypsrp.negotiate import HTTPNegotiateAuth
from pypsrp.powershell import PowerShell, PSInvocationState, RunspacePool
from pypsrp.serializer import Serializer
from pypsrp.wsman import NAMESPACES, WSMan, WSManAction
from spnego.exceptions import SpnegoError

from remediate.errors import RunnerError
from remediate.runners.base import (
    ConnectionSettings,
    RequestCounter,
    INTERRUPT_POLL_S,
    RunnerBase,
    RunOutcome,
    fault_code_name,
    one_line,
    timeout_error,
)
from remediate.runners.ntlm import negotiate_credentials, ntlm_hash_password

OPERATION_TIMEOUT_S = 20  # WS-Man default; a Receive with no output returns a timeout fault after this
CACHED_ESCAPE_MIN = 4096  # strings at least this long (scripts) are escaped once per process, not per host
PIPELINE_CACHE_SIZE = 8  # serialised CREATE_PIPELINE bodies kept: a run sends one to three distinct scripts
_LIBRARY_ERRORS = (requests.RequestException, WinRMError, SpnegoError, ImportError, ET.ParseError, OSError,
                   ValueError, KeyError, AttributeError, TypeError)


class _WSMan(WSMan):
    """WSMan without pypsrp's five silent Receive retries on read timeouts: they would overrun deadlines."""

    def receive(self, resource_uri, resource, option_set=None, selector_set=None, timeout=None):  # type: ignore[override]
        res = self.invoke(WSManAction.RECEIVE, resource_uri, resource, option_set, selector_set, timeout)
        return res.find("s:Body", namespaces=NAMESPACES)


class _PreemptiveNegotiate(HTTPNegotiateAuth):
    """Negotiate that sends its first token with the first request, saving the anonymous 401 round trip.

    pypsrp first posts without credentials, reads the 401's offer, then starts the handshake: three legs for
    NTLM. Sending the NTLM NEGOTIATE (or the Kerberos AP-REQ) up front, as requests-kerberos's
    ``force_preemptive`` does, makes it two (one for Kerberos). Only over HTTP: over HTTPS the channel
    binding token needs the server certificate, known only once a response arrived. A server that answers
    the first token with a bare 401 gets pypsrp's usual handshake, so nothing is lost.
    """

    @classmethod
    def replacing(cls, auth: HTTPNegotiateAuth) -> "_PreemptiveNegotiate":
        return cls(auth.username, auth.password, auth.auth_provider, auth.send_cbt, auth.service, auth.delegate,
                   auth.hostname_override, auth.wrap_required)

    def __call__(self, request):
        host = _hostname(request.url)
        if host in self.contexts or "Authorization" in request.headers:
            return super().__call__(request)
        options = spnego.NegotiateOptions.wrapping_winrm if self.wrap_required else 0
        username, password = self.username, self.password
        if self.auth_provider == "negotiate" and username and password:
            username, password = negotiate_credentials(username, password), None  # NTLM hashes derived once
        context = spnego.client(username, password, hostname=self.hostname_override or host,
                                service=self.service, protocol=self.auth_provider, options=options)
        context.response_auth_header = "negotiate"  # read by pypsrp to pick the encryption protocol
        self.contexts[host] = context
        self._set_auth_token(request, context.step(), "Negotiate")
        request.headers["Connection"] = "Keep-Alive"
        request.register_hook("response", self._continue)
        return request

    def _continue(self, response, **kwargs):
        context = self.contexts.get(_hostname(response.url))
        in_token = self._get_auth_token(response, self._regex)
        if response.status_code == 401 and not in_token:  # the server wants the usual handshake
            self.contexts.pop(_hostname(response.url), None)
            return self.response_hook(response, **kwargs)
        while context is not None and in_token and not context.complete:
            out_token = context.step(in_token)
            if response.status_code != 401 or out_token is None:
                break
            response.content  # noqa: B018 - read the body so the connection can be reused
            response.raw.release_conn()
            request = response.request.copy()
            self._set_auth_token(request, out_token, "Negotiate")
            response = response.connection.send(request, **kwargs)
            in_token = self._get_auth_token(response, self._regex)
        return response


def _serialize_string(serializer: Serializer):
    """pypsrp's string escaping for CLIXML, cached for long strings (the scripts).

    pypsrp escapes control characters one regex callback at a time; a 100 KB CRLF script has ~4,000 of them,
    which made escaping about half of the client's CPU per host. Every host gets the same script text, so
    it is escaped once per process. Short strings go through pypsrp unchanged.
    """
    original = functools.partial(Serializer._serialize_string, serializer)

    def escape(value: str | None) -> str | None:
        if value is None or len(value) < CACHED_ESCAPE_MIN:
            return original(value)
        return _escape_long(value)

    return escape


@functools.lru_cache(maxsize=16)
def _escape_long(value: str) -> str:
    return Serializer._serialize_string(Serializer(), value)


class _PipelineCache:
    """The serialised CREATE_PIPELINE body of each script, made once per process and reused for every host.

    A pipeline message is a fixed binary header (destination, type, pool id, pipeline id) and a CLIXML body;
    our runner always creates a pipeline the same way (one script, same host info and options), so the body
    depends only on the script. Building it costs pypsrp a deepcopy of the commands and an ElementTree walk of
    ~100 KB (~20 % of the client's CPU per host); pypsrp takes a body given as bytes as it is, and the pool
    and pipeline ids still go into each host's own header. tests/test_runners_perf.py holds that the cached
    body is byte for byte what pypsrp would have built.
    """

    _lock = threading.Lock()
    _bodies: dict[str, bytes] = {}

    @classmethod
    def wrap(cls, serializer: Serializer, runner: "PSRPRunner") -> None:
        original = serializer.serialize

        def serialize(value, metadata=None, parent=None, clear=True):  # type: ignore[no-untyped-def]
            script = runner._sending
            if script is None or parent is not None or type(value) is not CreatePipeline:
                return original(value, metadata, parent, clear)
            body = cls._bodies.get(script)
            if body is None:
                body = ET.tostring(original(value, metadata, parent, clear), encoding="utf-8", method="xml")
                with cls._lock:
                    if len(cls._bodies) >= PIPELINE_CACHE_SIZE:
                        cls._bodies.pop(next(iter(cls._bodies)))
                    cls._bodies[script] = body
            return body

        serializer.serialize = serialize  # type: ignore[method-assign]


class PSRPRunner(RunnerBase):
    def __init__(self, settings: ConnectionSettings) -> None:
        super().__init__(settings)
        self._counter = RequestCounter()
        self._wsman: _WSMan | None = None
        self._pool: RunspacePool | None = None
        self._host = PSHost(None, None, False, "remediate", None, None, "1.0")
        self._sending: str | None = None  # the script of the pipeline being created (_PipelineCache's key)

    # -- connection ------------------------------------------------------------------------------------
    def _connect(self, deadline: float) -> RunspacePool:
        if self._pool is not None:
            return self._pool
        s = self.settings
        # NTLM alone takes the password's hashes, derived once per run (remediate/runners/ntlm.py).
        password = ntlm_hash_password(s.password) if s.auth == "ntlm" and s.password else s.password
        self._wsman = _WSMan(
            s.host, port=s.effective_port, ssl=s.ssl, auth=s.auth, username=s.username, password=password,
            cert_validation=s.cert_validation, connection_timeout=max(1, int(s.connect_timeout)),
            read_timeout=max(2, int(s.read_timeout)), operation_timeout=OPERATION_TIMEOUT_S,
            reconnection_retries=0, no_proxy=True,
        )
        transport = self._wsman.transport
        transport.session = transport._build_session()  # built now so every round trip is counted
        # pypsrp read the environment (CA bundle) while building; with no proxy, requests would otherwise
        # re-read every proxy variable on every request (~1 ms each).
        transport.session.trust_env = False
        if not s.ssl and isinstance(transport.session.auth, HTTPNegotiateAuth):
            transport.session.auth = _PreemptiveNegotiate.replacing(transport.session.auth)
        self._counter.attach(transport.session)
        self._bound(deadline)
        pool = RunspacePool(self._wsman, host=self._host)
        pool._serializer._serialize_string = _serialize_string(pool._serializer)  # type: ignore[method-assign]
        _PipelineCache.wrap(pool._serializer, self)
        pool.open()
        self._pool = pool
        return pool

    def _bound(self, deadline: float) -> None:
        """Cap the HTTP timeouts of the next request by the time left (pypsrp reads them per request)."""
        if self._wsman is None:
            return
        left = max(1.0, deadline - time.monotonic())
        transport = self._wsman.transport
        transport.connection_timeout = min(self.settings.connect_timeout, left)
        transport.read_timeout = min(self.settings.read_timeout, left + 1)

    # -- running ---------------------------------------------------------------------------------------
    def run_script(self, script: str, timeout_s: float) -> RunOutcome:
        start = time.monotonic()
        deadline = start + timeout_s
        before = self._counter.count
        stage = "connect"
        try:
            pool = self._connect(deadline)
            stage = "run"
            ps = self._invoke(pool, script, deadline, timeout_s)
        except RunnerError:
            raise
        except AuthenticationError:
            raise RunnerError(f"{self.settings.host}: credentials rejected (HTTP 401, not retried)",
                              code="auth_failed", host=self.settings.host, stage=stage, http_status=401) from None
        except WSManFaultError as exc:
            name = fault_code_name(exc.code)
            code = exc.code if isinstance(exc.code, int) else None
            raise RunnerError(f"{self.settings.host}: WS-Management fault {name}: {one_line(exc.reason)}",
                              code=f"wsman_fault_{name}", host=self.settings.host, stage=stage,
                              fault_code=code) from None
        except WinRMTransportError as exc:
            raise RunnerError(f"{self.settings.host}: WinRM answered HTTP {exc.code}", code=f"http_{exc.code}",
                              host=self.settings.host, stage=stage, http_status=exc.code) from None
        except _LIBRARY_ERRORS as exc:
            raise self._classify(exc, stage) from None
        errors = tuple(one_line(str(e)) for e in ps.streams.error)
        if self._host.rc is not None:
            exit_code = int(self._host.rc)
        else:  # no `exit`: PowerShell ends with 0, or 1 when the script threw (pipeline Failed)
            exit_code = 1 if ps.state == PSInvocationState.FAILED else 0
        return RunOutcome(
            exit_code=exit_code,
            stdout="\n".join("" if o is None else str(o) for o in ps.output),
            stderr="\n".join(errors),
            errors=errors,
            duration_s=time.monotonic() - start,
            requests=self._counter.count - before,
        )

    def _invoke(self, pool: RunspacePool, script: str, deadline: float, timeout_s: float) -> PowerShell:
        self._host.rc = None
        self._check_interrupted("run")
        ps = PowerShell(pool)
        ps.add_script(script)
        self._bound(deadline)
        self._sending = script
        try:
            ps.begin_invoke()
        finally:
            self._sending = None
        while ps.state == PSInvocationState.RUNNING:
            left = deadline - time.monotonic()
            if left <= 0:
                self._stop(ps)
                raise timeout_error(self.settings.host, "script", timeout_s)
            if self._stop_event.is_set():
                self._stop(ps)
                self._check_interrupted("run")
            self._bound(deadline)
            ps.poll_invoke(timeout=max(1, min(OPERATION_TIMEOUT_S, INTERRUPT_POLL_S, int(left))))
        return ps

    def _stop(self, ps: PowerShell) -> None:
        try:
            self._bound(time.monotonic() + 5)
            ps.stop()
        except (*_LIBRARY_ERRORS, WSManFaultError, WinRMTransportError, AuthenticationError):
            self._abandon()

    def _abandon(self) -> None:
        """Forget a pool whose connection is in an unknown state; the next run (if any) reconnects."""
        if self._wsman is not None:
            try:
                self._wsman.close()
            except (OSError, requests.RequestException):
                pass
        self._pool = None
        self._wsman = None

    def close(self) -> None:
        if self._pool is not None:
            try:
                self._bound(time.monotonic() + 5)
                self._pool.close()
            except (*_LIBRARY_ERRORS, WSManFaultError, WinRMTransportError, AuthenticationError):
                pass
        self._abandon()

    @property
    def requests(self) -> int:
        return self._counter.count


def _hostname(url: str) -> str:
    return requests.utils.urlparse(url).hostname or ""

