"""WinRM runner (pywinrm): a cmd shell per host, the script sent on stdin behind a small bootstrap.

``Session.run_ps`` passes the script as ``-EncodedCommand`` on the command line, which breaks beyond cmd.exe's
8,191-character limit (about 3,000 characters of script). As Ansible does, we launch a short bootstrap that
reads the real script from stdin, writes it to a temp file and runs it with ``-File`` (the way Intune and RMM
agents launch scripts, so ``exit N`` and stderr behave the same). powershell.exe writes progress records as
CLIXML on stderr even on success; they are decoded and dropped, error strings kept.
"""

from __future__ import annotations

import base64
import os
import time
import xml.etree.ElementTree as ET

import requests
from spnego.exceptions import SpnegoError
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)
from winrm.protocol import Protocol

from remediate.errors import RunnerError
from remediate.runners.base import (
    ConnectionSettings,
    RequestCounter,
    INTERRUPT_POLL_S,
    RunnerBase,
    RunOutcome,
    decode_stderr,
    fault_code_name,
    one_line,
    timeout_error,
    url_host,
)
from remediate.runners.ntlm import ntlm_hash_password

OPERATION_TIMEOUT_S = 20
STDIN_CHUNK = 96 * 1024  # raw bytes per Send; base64 makes ~128 KiB, under the 150 KiB envelope of old hosts
CMD_LINE_LIMIT = 8191

# Reads the script from stdin ($input, as Ansible's bootstrap does) and runs it with -File. No
# $ErrorActionPreference = 'Stop' here: with it, the child's stderr lines would become terminating errors.
BOOTSTRAP = (
    "$s = @($input) -join [Environment]::NewLine\n"
    "$p = Join-Path $env:TEMP ('remediate-' + [guid]::NewGuid().ToString('N') + '.ps1')\n"
    "[IO.File]::WriteAllText($p, $s, [Text.Encoding]::ASCII)\n"
    "try { & \"$PSHOME\\powershell.exe\" -NoProfile -NonInteractive -ExecutionPolicy Bypass -File $p; "
    "$rc = $LASTEXITCODE } finally { Remove-Item -LiteralPath $p -Force -ErrorAction SilentlyContinue }\n"
    "exit $rc\n"
)
COMMAND_ARGS = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand",
                base64.b64encode(BOOTSTRAP.encode("utf-16-le")).decode()]
assert len("powershell.exe " + " ".join(COMMAND_ARGS)) < CMD_LINE_LIMIT

_AUTH = {"negotiate": "ntlm", "ntlm": "ntlm", "kerberos": "kerberos", "credssp": "credssp",
         "certificate": "certificate", "basic": "basic"}  # pywinrm has no Negotiate: NTLM is what it falls to
_LIBRARY_ERRORS = (requests.RequestException, WinRMError, SpnegoError, ImportError, ET.ParseError, OSError,
                   ValueError, KeyError, AttributeError, TypeError, StopIteration)


class WinRMRunner(RunnerBase):
    def __init__(self, settings: ConnectionSettings) -> None:
        super().__init__(settings)
        self._counter = RequestCounter()
        self._protocol: Protocol | None = None
        self._shell_id: str | None = None

    def _connect(self, deadline: float) -> tuple[Protocol, str]:
        if self._protocol is not None and self._shell_id is not None:
            return self._protocol, self._shell_id
        s = self.settings
        scheme = "https" if s.ssl else "http"
        validation = "validate" if s.cert_validation is not False else "ignore"
        # A CA bundle path, else the environment's bundle (as requests and pypsrp honour it), else certifi.
        ca = s.cert_validation if isinstance(s.cert_validation, str) else (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None)
        # NTLM takes the password's hashes, derived once per run (remediate/runners/ntlm.py).
        password = ntlm_hash_password(s.password) if _AUTH[s.auth] == "ntlm" and s.password else s.password
        protocol = Protocol(
            f"{scheme}://{url_host(s.host)}:{s.effective_port}/wsman", transport=_AUTH[s.auth],
            username=s.username, password=password, server_cert_validation=validation, ca_trust_path=ca,
            read_timeout_sec=OPERATION_TIMEOUT_S + 10, operation_timeout_sec=OPERATION_TIMEOUT_S, proxy=None,
        )
        self._protocol = protocol
        self._bound(deadline)
        transport = protocol.transport
        setup_encryption = transport.setup_encryption

        def counted_setup(session: requests.Session) -> None:
            self._counter.attach(session)  # the encryption handshake is the first round trip: count it
            setup_encryption(session)

        transport.setup_encryption = counted_setup  # type: ignore[method-assign]
        session = transport.build_session()
        # pywinrm read the environment (CA bundle) while building and disabled proxies; without this, requests
        # would still re-read every proxy variable on every request (~1 ms each).
        session.trust_env = False
        self._counter.attach(session)
        self._shell_id = protocol.open_shell(codepage=65001)
        return protocol, self._shell_id

    def _bound(self, deadline: float, receive_s: int | None = None) -> None:
        """Cap the next request's HTTP timeout by the time left (pywinrm reads it per request).

        A Receive may legitimately wait its whole operation timeout, so its HTTP timeout is that plus 2 s.
        """
        if self._protocol is None:
            return
        left = max(1.0, deadline - time.monotonic())
        self._protocol.operation_timeout_sec = receive_s or OPERATION_TIMEOUT_S
        if receive_s:
            self._protocol.transport.read_timeout_sec = receive_s + 2
        else:
            self._protocol.transport.read_timeout_sec = min(self.settings.read_timeout, left) + 1

    def run_script(self, script: str, timeout_s: float) -> RunOutcome:
        start = time.monotonic()
        deadline = start + timeout_s
        before = self._counter.count
        stage = "connect"
        try:
            protocol, shell_id = self._connect(deadline)
            stage = "run"
            stdout, stderr, rc = self._execute(protocol, shell_id, script, deadline, timeout_s)
        except RunnerError:
            raise
        except InvalidCredentialsError:
            self._abandon()
            raise RunnerError(f"{self.settings.host}: credentials rejected (HTTP 401, not retried)",
                              code="auth_failed", host=self.settings.host, stage=stage, http_status=401) from None
        except WSManFaultError as exc:
            self._abandon()
            code = exc.wsman_fault_code
            name = fault_code_name(code if code is not None else (exc.fault_subcode or exc.fault_code))
            raise RunnerError(f"{self.settings.host}: WS-Management fault {name}: {one_line(exc.reason)}",
                              code=f"wsman_fault_{name}", host=self.settings.host, stage=stage,
                              fault_code=code) from None
        except WinRMTransportError as exc:
            self._abandon()
            raise RunnerError(f"{self.settings.host}: WinRM answered HTTP {exc.code}", code=f"http_{exc.code}",
                              host=self.settings.host, stage=stage, http_status=exc.code) from None
        except _LIBRARY_ERRORS as exc:
            raise self._classify(exc, stage) from None
        text_err, errors = decode_stderr(stderr.decode("utf-8", "replace"))
        return RunOutcome(exit_code=rc, stdout=stdout.decode("utf-8", "replace"), stderr=text_err,
                          errors=errors, duration_s=time.monotonic() - start,
                          requests=self._counter.count - before)

    def _execute(self, protocol: Protocol, shell_id: str, script: str, deadline: float,
                 timeout_s: float) -> tuple[bytes, bytes, int]:
        self._check_interrupted("run")
        self._bound(deadline)
        command_id = protocol.run_command(shell_id, "powershell.exe", COMMAND_ARGS)
        data = script.encode("utf-8")
        if not data.endswith(b"\n"):
            data += b"\r\n"
        chunks = [data[i:i + STDIN_CHUNK] for i in range(0, len(data), STDIN_CHUNK)]
        for i, chunk in enumerate(chunks):
            self._bound(deadline)
            protocol.send_command_input(shell_id, command_id, chunk, end=i == len(chunks) - 1)
        out, err = [], []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._terminate(protocol, shell_id, command_id)
                raise timeout_error(self.settings.host, "script", timeout_s)
            if self._stop_event.is_set():
                self._terminate(protocol, shell_id, command_id)
                self._check_interrupted("run")
            operation = max(1, min(OPERATION_TIMEOUT_S, INTERRUPT_POLL_S, int(left)))
            self._bound(deadline, operation)
            try:
                stdout, stderr, rc, done = protocol.get_command_output_raw(shell_id, command_id)
            except WinRMOperationTimeoutError:
                continue
            out.append(stdout)
            err.append(stderr)
            if done:
                break
        # No Signal/terminate after Done: the command has ended and the shell goes away on close;
        # one round trip fewer per phase.
        return b"".join(out), b"".join(err), rc

    def _terminate(self, protocol: Protocol, shell_id: str, command_id: str) -> None:
        try:
            self._bound(time.monotonic() + 5)
            protocol.cleanup_command(shell_id, command_id)
        except (*_LIBRARY_ERRORS, WSManFaultError, WinRMTransportError, InvalidCredentialsError, AssertionError):
            self._abandon()

    def _abandon(self) -> None:
        if self._protocol is not None:
            try:
                self._protocol.transport.close_session()
            except (OSError, requests.RequestException):
                pass
        self._protocol = None
        self._shell_id = None

    def close(self) -> None:
        if self._protocol is not None and self._shell_id is not None:
            try:
                self._bound(time.monotonic() + 5)
                self._protocol.close_shell(self._shell_id)
            except (*_LIBRARY_ERRORS, WSManFaultError, WinRMTransportError, InvalidCredentialsError):
                pass
        self._abandon()

    @property
    def requests(self) -> int:
        return self._counter.count

