"""Authenticode signing of the final script bytes with osslsigncode >= 2.8.

osslsigncode signs .ps1 files only from 2.8 on (Debian 12's own 2.5 cannot; bookworm-backports has 2.9).
It hashes the bytes as written, so we sign the final ASCII/CRLF bytes and never touch them afterwards: the
signed output must start with exactly the input bytes, followed by the ``# SIG #`` comment block.
The key password is passed through a private temp file (``-readpass``), never on the command line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from remediate.errors import ExitCode, RemediateError

MIN_VERSION = (2, 8)
TOOL = "osslsigncode"
_VERSION_RE = re.compile(r"osslsigncode\s+(\d+)\.(\d+)")
_SIG_END = b"# SIG # End signature block\r\n"
_TIMEOUT_S = 120


class SigningError(RemediateError):
    """Signing could not be done: tool missing or too old, bad certificate or key, tool failure."""

    exit_code = ExitCode.CONFIG


@dataclass(frozen=True)
class SigningConfig:
    cert: Path  # PEM/DER certificate (with key) or a .pfx/.p12 bundle
    key: Path | None = None
    password_env: str | None = None  # name of the environment variable holding the key password
    sign_time: int | None = None  # fixed signing time (unix); default SOURCE_DATE_EPOCH when set
    tool: str = TOOL


def _min_text() -> str:
    return ".".join(map(str, MIN_VERSION))


def parse_version(text: str) -> tuple[int, int] | None:
    match = _VERSION_RE.search(text)
    return (int(match[1]), int(match[2])) if match else None


def require_tool(tool: str = TOOL) -> str:
    """Path of a usable osslsigncode; SigningError naming the minimum version otherwise."""
    path = shutil.which(tool)
    if path is None:
        raise SigningError(f"{tool} >= {_min_text()} is required to sign .ps1 files and was not found on PATH")
    try:
        proc = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SigningError(f"{tool} >= {_min_text()} is required; running {path} failed: {exc}") from None
    version = parse_version(proc.stdout + proc.stderr)
    if version is None:
        raise SigningError(f"{tool} >= {_min_text()} is required; cannot read the version of {path}")
    if version < MIN_VERSION:
        found = ".".join(map(str, version))
        raise SigningError(f"{tool} >= {_min_text()} is required to sign .ps1 files; found {found} at {path}")
    return path


def _is_pkcs12(cert: Path) -> bool:
    return cert.suffix.lower() in {".pfx", ".p12"}


def build_sign_command(tool: str, config: SigningConfig, infile: Path, outfile: Path,
                       passfile: Path | None) -> list[str]:
    """The osslsigncode argument list (no secrets in it: the password travels in ``passfile``)."""
    if _is_pkcs12(config.cert):
        cmd = [tool, "sign", "-pkcs12", str(config.cert)]
    else:
        cmd = [tool, "sign", "-certs", str(config.cert), "-key", str(config.key or config.cert)]
    if passfile is not None:
        cmd += ["-readpass", str(passfile)]
    cmd += ["-h", "sha256"]
    sign_time = config.sign_time if config.sign_time is not None else _source_date_epoch()
    if sign_time is not None:
        cmd += ["-time", str(sign_time)]
    return cmd + ["-in", str(infile), "-out", str(outfile)]


def _source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(value) if value.isdigit() else None


def _check_inputs(config: SigningConfig) -> None:
    for label, path in (("certificate", config.cert), ("key", config.key)):
        if path is not None and not path.is_file():
            raise SigningError(f"{label} file not found: {path}")
    if config.key is None and not _is_pkcs12(config.cert):
        raise SigningError("--key is required with a PEM/DER certificate (or pass a .pfx/.p12 as --cert)")
    if config.password_env and config.password_env not in os.environ:
        raise SigningError(f"environment variable {config.password_env} (the key password) is not set")


class Signer:
    """Callable ``(bytes, name) -> signed bytes``; checks tool and inputs once, up front."""

    def __init__(self, config: SigningConfig) -> None:
        _check_inputs(config)
        self.config = config
        self.tool = require_tool(config.tool)

    def __call__(self, data: bytes, name: str) -> bytes:
        with tempfile.TemporaryDirectory(prefix="remediate-sign-") as tmp:
            work = Path(tmp)
            infile, outfile = work / name, work / f"signed-{name}"
            infile.write_bytes(data)
            passfile = self._passfile(work)
            cmd = build_sign_command(self.tool, self.config, infile, outfile, passfile)
            self._run(cmd, name)
            signed = outfile.read_bytes()
        return _checked_signed(data, signed, name)

    def _passfile(self, work: Path) -> Path | None:
        if not self.config.password_env:
            return None
        path = work / "pass"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(os.environ[self.config.password_env])
        return path

    def _run(self, cmd: list[str], name: str) -> None:
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SigningError(f"signing {name} failed: {exc}") from None
        if proc.returncode != 0:
            lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            detail = lines[-1] if lines else f"exit code {proc.returncode}"
            raise SigningError(f"signing {name} failed: {detail}")


def _checked_signed(original: bytes, signed: bytes, name: str) -> bytes:
    """The signature is appended as a comment block; anything else means the script bytes were altered."""
    if not signed.startswith(original) or not signed.endswith(_SIG_END):
        raise SigningError(f"signing {name} produced unexpected output (script bytes altered or no signature)")
    return signed


def verify(data: bytes, ca_file: Path, tool: str = TOOL) -> tuple[bool, str]:
    """Verify a signed script against ``ca_file``; (ok, osslsigncode's output)."""
    path = require_tool(tool)
    with tempfile.TemporaryDirectory(prefix="remediate-verify-") as tmp:
        infile = Path(tmp) / "script.ps1"
        infile.write_bytes(data)
        proc = subprocess.run([path, "verify", "-in", str(infile), "-CAfile", str(ca_file)],
                              capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    output = proc.stdout + proc.stderr
    return proc.returncode == 0 and "Signature verification: ok" in output, output
