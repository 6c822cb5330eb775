"""``remediate doctor``: a preflight before touching a fleet. One finding per line, each with what to do.

Looks at this machine (Python, the libraries, osslsigncode, the signing certificate), Microsoft Graph (a token,
and the permissions each Intune command needs, from ``remediate.intune.permissions``) and hosts (WinRM/PSRP
reachable, the credentials accepted, the remote PowerShell version and language mode). Each finding is
``ok``, ``warning`` or ``error`` and carries the exit code it stands for; the command exits with the worst.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from remediate.errors import ExitCode, RemediateError, RunnerError, ServiceError
from remediate.intune import permissions
from remediate.output import Result

LEVELS = ("ok", "warning", "error")
# distribution name -> what it is for (a missing one is an error: `pip install -e .` brings them all)
LIBRARIES = {"click": "the command line", "jinja2": "rendering", "structlog": "logs", "pypsrp": "PSRP runs",
             "pywinrm": "WinRM runs", "requests": "Graph and WinRM", "azure-identity": "Graph sign-in",
             "tree-sitter": "lint", "tree-sitter-pwsh": "lint"}
MIN_PYTHON = (3, 10)
MIN_PS = (5, 1)
CERT_WARN_DAYS = 30


@dataclass(frozen=True)
class Finding:
    area: str  # python | library | signing | graph | host
    subject: str  # what was looked at (a library, a host, a command)
    level: str  # ok | warning | error
    detail: str
    advice: str = ""
    exit_code: int = 0

    def line(self) -> str:
        text = f"{self.level.upper():7} {self.area:8} {self.subject}: {self.detail}"
        return text + (f" -> {self.advice}" if self.advice else "")


def ok(area: str, subject: str, detail: str) -> Finding:
    return Finding(area, subject, "ok", detail)


def warn(area: str, subject: str, detail: str, advice: str) -> Finding:
    return Finding(area, subject, "warning", detail, advice, int(ExitCode.NON_COMPLIANT))


def error(area: str, subject: str, detail: str, advice: str, code: ExitCode) -> Finding:
    return Finding(area, subject, "error", detail, advice, int(code))


# -- this machine --------------------------------------------------------------------------------------------
def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> list[Finding]:
    text = ".".join(map(str, version))
    if version[:2] < MIN_PYTHON:
        return [error("python", "python", f"{text} is older than {'.'.join(map(str, MIN_PYTHON))}",
                      "install Python 3.10 or later and recreate the virtual environment", ExitCode.CONFIG)]
    return [ok("python", "python", text)]


def check_libraries(version_of: Callable[[str], str] = metadata.version) -> list[Finding]:
    found = []
    for name, purpose in sorted(LIBRARIES.items()):
        try:
            found.append(ok("library", name, version_of(name)))
        except metadata.PackageNotFoundError:
            found.append(error("library", name, f"not installed (needed for {purpose})",
                               "pip install -e . in the tool's virtual environment", ExitCode.CONFIG))
    return found


def check_signing_tool(required: bool) -> list[Finding]:
    from remediate.intune.signing import SigningError, require_tool

    try:
        path = require_tool()
    except SigningError as exc:
        if required:
            return [error("signing", "osslsigncode", str(exc), "install osslsigncode 2.8 or later",
                          ExitCode.CONFIG)]
        return [warn("signing", "osslsigncode", str(exc), "needed only for --sign; install osslsigncode 2.8 "
                     "or later to sign for WDAC/AppLocker or enforceSignatureCheck")]
    return [ok("signing", "osslsigncode", path)]


def check_certificate(cert: Path, password: str | None, now: datetime | None = None) -> list[Finding]:
    """The code-signing certificate: readable, with its key (PFX), code-signing usage, not expired."""
    try:  # installed with azure-identity (through msal); not a dependency of its own
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509.oid import ExtendedKeyUsageOID
    except ImportError:
        return [warn("signing", cert.name, "cannot read certificates here (no cryptography library)",
                     "pip install cryptography")]

    now = now or datetime.now(timezone.utc)
    subject = cert.name
    try:
        data = cert.read_bytes()
        if cert.suffix.lower() in (".pfx", ".p12"):
            key, certificate, _ = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
            if key is None or certificate is None:
                raise ValueError("the PFX holds no certificate with its private key")
        else:
            certificate = (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                           else x509.load_der_x509_certificate(data))
    except (OSError, ValueError) as exc:
        return [error("signing", subject, f"cannot read the certificate ({exc})",
                      "give a PEM/DER certificate with --key, or a .pfx and --password-env", ExitCode.CONFIG)]
    found = []
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        code_signing = ExtendedKeyUsageOID.CODE_SIGNING in usages
    except x509.ExtensionNotFound:
        code_signing = False
    if not code_signing:
        found.append(error("signing", subject, "no code-signing extended key usage",
                           "request a certificate from a code-signing template", ExitCode.CONFIG))
    expires = certificate.not_valid_after_utc
    if expires <= now:
        found.append(error("signing", subject, f"expired {expires:%Y-%m-%d}", "renew the certificate",
                           ExitCode.CONFIG))
    elif expires - now < timedelta(days=CERT_WARN_DAYS):
        found.append(warn("signing", subject, f"expires {expires:%Y-%m-%d}", "renew it before it lapses; "
                          "scripts signed and timestamped before stay valid"))
    return found or [ok("signing", subject, f"code signing, valid until {expires:%Y-%m-%d}, "
                        f"subject {certificate.subject.rfc4514_string()}")]


# -- Microsoft Graph -----------------------------------------------------------------------------------------
def token_claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT access token (not verified: only read to name its permissions); None when opaque."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def granted_from_claims(claims: dict[str, Any]) -> set[str]:
    """Application permissions ('roles') and delegated scopes ('scp'); ReadWrite implies the Read."""
    return permissions.with_implied(set(claims.get("roles") or []) | set(str(claims.get("scp") or "").split()))


# Reads that show a permission by trying it (no side effect): permission -> Graph path.
# Reading the scope tags also works with DeviceManagementConfiguration.Read.All (the reference lists four
# permissions); the probe shows that the tags can be read, which is what publish needs.
READ_PROBES = {permissions.SCRIPTS_READ: "/deviceManagement/deviceHealthScripts",
               permissions.DEVICES_READ: "/deviceManagement/managedDevices",
               permissions.SCOPE_TAGS_READ: "/deviceManagement/roleScopeTags"}


def _declaring(packages: list[Any] | None) -> list[str] | None:
    """Ids of the packages that declare scope tags; None when the packages could not be read."""
    return None if packages is None else [p.id for p in packages if getattr(p, "scope_tags", ())]


def _conditional(command: permissions.CommandPermissions, missing: list[str],
                 declaring: list[str] | None) -> Finding | None:
    """A row needed only under a condition (a package declares scope tags): None when it applies (check it
    as any other row), else the finding that says why it does not, or that it may."""
    if declaring:
        return None
    subject = command.label
    if declaring is not None:
        return ok("graph", subject, "not needed: no package declares [intune] scope_tags")
    if not missing:
        return ok("graph", subject, command.line())
    return warn("graph", subject, f"the packages could not be read; publish needs {', '.join(missing)} when a "
                "package declares [intune] scope_tags", "grant it if any package declares scope tags")


def check_graph(client: Any, token: str, packages: list[Any] | None = None) -> list[Finding]:
    """The token's permissions against the table of permissions.COMMANDS: from its claims when it is a JWT,
    and by a read for each readable permission. ``packages`` (None: unknown) decide whether the rows with a
    condition (publish's scope tags) are needed."""
    granted = granted_from_claims(token_claims(token) or {})
    opaque = token_claims(token) is None
    found = []
    for permission, path in sorted(READ_PROBES.items()):
        try:
            client.get(path, params={"$top": "1"})
            granted.add(permission)
        except ServiceError as exc:
            if exc.status not in (401, 403):
                return [error("graph", "graph", f"reading {path} failed: {exc}",
                              "check the network path to Microsoft Graph", ExitCode.SERVICE)]
            granted.discard(permission)
    declaring = _declaring(packages)
    for command in permissions.COMMANDS:
        missing = [p for p in command.permissions if p not in granted]
        unknown = [p for p in missing if opaque and p not in READ_PROBES]
        subject = command.label + (f": {', '.join(declaring)}" if command.condition and declaring else "")
        if command.condition and (skipped := _conditional(command, missing, declaring)) is not None:
            found.append(skipped)
        elif missing and unknown == missing:
            found.append(warn("graph", subject, f"cannot tell whether the token holds "
                              f"{', '.join(unknown)}", "check the app registration's API permissions"))
        elif missing:
            found.append(error("graph", subject, f"missing {', '.join(missing)}",
                               "add the Microsoft Graph permission to the app registration and grant admin "
                               "consent", ExitCode.SERVICE))
        else:
            found.append(ok("graph", subject, command.line()))
    return found


# -- hosts ---------------------------------------------------------------------------------------------------
def probe_script() -> str:
    return (resources.files("remediate") / "powershell" / "probe" / "Get-RmHostFacts.ps1").read_text("ascii")


_RUNNER_ADVICE = {
    "dns": "check the host name (DNS)",
    "refused": "nothing listens on the WinRM port: run Enable-PSRemoting (or winrm quickconfig) on the host",
    "unreachable": "check the name, port 5985/5986 and the firewall between here and the host",
    "timeout": "the host or the network is slow or filtered: check the firewall, or raise --timeout",
    "auth_failed": "check the account and password, and --auth (negotiate, ntlm, kerberos)",
    "tls": "check --ssl/--no-ssl and the port: the host does not speak TLS there",
    "tls_certificate": "give --ca-bundle with the CA of the host's WinRM certificate",
    "access_denied": "the account must be a local administrator (or in Remote Management Users)",
    "powershell_missing": "--local needs powershell.exe (Windows) on this machine",
}


def check_host(host: str, run: Callable[[str], Any]) -> list[Finding]:
    """Reach the host, sign in, and read its PowerShell facts (``run`` runs a script and returns a RunOutcome)."""
    try:
        outcome = run(probe_script())
    except RunnerError as exc:
        return [error("host", host, f"{exc.code}: {exc}", _RUNNER_ADVICE.get(exc.code, "see the message"),
                      ExitCode.HOST_ERROR)]
    lines = [line for line in outcome.stdout.splitlines() if line.strip()]
    try:
        facts = json.loads(lines[-1])
    except (IndexError, ValueError):
        return [error("host", host, "reached, but the probe gave no answer", "run powershell.exe on the host "
                      "and check its profile and execution policy", ExitCode.HOST_ERROR)]
    found = [ok("host", host, "reachable, credentials accepted")]
    found += _check_facts(host, facts)
    return found


def _check_facts(host: str, facts: dict[str, Any]) -> list[Finding]:
    found = []
    version = tuple(int(x) for x in str(facts.get("ps_version") or "0.0").split(".")[:2] if x.isdigit())
    text = f"PowerShell {facts.get('ps_version')} ({facts.get('edition') or 'Desktop'})"
    if version < MIN_PS:
        found.append(error("host", host, text + " is older than 5.1", "install Windows Management Framework 5.1",
                           ExitCode.HOST_ERROR))
    else:
        found.append(ok("host", host, text))
    mode = facts.get("language_mode")
    if mode != "FullLanguage":
        found.append(error("host", host, f"language mode {mode}", "WDAC/AppLocker: sign the scripts "
                           "(remediate package --sign) with a certificate the policy trusts", ExitCode.HOST_ERROR))
    else:
        found.append(ok("host", host, "FullLanguage"))
    if facts.get("is64") is False:
        found.append(warn("host", host, "32-bit PowerShell session", "the scripts relaunch in 64-bit; check "
                          "the endpoint configuration"))
    if facts.get("admin") is False:
        found.append(warn("host", host, "the account is not an administrator", "the device package needs "
                          "administrator rights"))
    return found


# -- the report ----------------------------------------------------------------------------------------------
def worst(findings: Iterable[Finding]) -> int:
    """The exit code of the worst finding: errors before warnings, the highest code among them."""
    items = list(findings)
    rank = max((LEVELS.index(f.level) for f in items), default=0)
    return max((f.exit_code for f in items if LEVELS.index(f.level) == rank), default=0)


def doctor_result(findings: list[Finding]) -> Result:
    rows = [asdict(f) for f in findings]
    counts = {level: sum(f.level == level for f in findings) for level in LEVELS}
    summary = ", ".join(f"{n} {level}" for level, n in counts.items())
    return Result("doctor", {"findings": rows, "summary": counts}, [f.line() for f in findings] + [summary],
                  rows=rows, exit_code=worst(findings))


def safely(area: str, subject: str, step: Callable[[], list[Finding]]) -> list[Finding]:
    """A step that raised one of our errors is a finding too, never the end of the report."""
    try:
        return step()
    except RemediateError as exc:
        return [error(area, subject, str(exc), "see the message", exc.exit_code)]


def check_graph_access(settings: Any, deadline_s: float, packages: list[Any] | None = None) -> list[Finding]:
    """Sign in with the configured credentials (AZURE_* or flags) and check the token against the table;
    ``packages`` as for ``check_graph``."""
    from remediate.intune import build

    if settings.mode == "none":
        return [warn("graph", "graph", "no credentials (AZURE_TENANT_ID, AZURE_CLIENT_ID and a secret or "
                     "certificate, or --device-code)", "set them to check the Intune permissions; publish, "
                     "results and trigger need them")]
    try:
        token = build.token_provider(settings)()
    except ServiceError as exc:
        return [error("graph", "graph", f"no token: {exc}", "check the tenant, the app id and its secret or "
                      "certificate", ExitCode.SERVICE)]
    client = build.graph_client(settings, token=lambda: token, deadline_s=deadline_s)
    return [ok("graph", "graph", f"token for {settings.mode}")] + check_graph(client, token, packages)


def check_hosts(hosts: list[str], settings: Any, *, concurrency: int, timeout_s: float) -> list[Finding]:
    """``check_host`` on every host, ``concurrency`` at a time, findings in host order."""
    from concurrent.futures import ThreadPoolExecutor

    from remediate.runners import make_runner

    def one(host: str) -> list[Finding]:
        def run(script: str) -> Any:
            with make_runner(settings.with_host(host)) as runner:
                return runner.run_script(script, timeout_s=timeout_s)

        return safely("host", host, lambda: check_host(host, run))

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(hosts)))) as pool:
        return [finding for found in pool.map(one, hosts) for finding in found]
