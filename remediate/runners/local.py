"""Local runner: Windows PowerShell 5.1 on this machine, launched the way RMM agents launch scripts.

``powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File <temp file>``: -File (not
-Command) so ``exit N`` becomes the process exit code exactly; -NonInteractive so a prompt fails instead of
hanging the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

from remediate.errors import RunnerError
from remediate.runners.base import ConnectionSettings, RunnerBase, RunOutcome, decode_stderr, timeout_error

POWERSHELL = "powershell.exe"


def find_powershell() -> str | None:
    return shutil.which(POWERSHELL)


def running_as_system(environ: dict[str, str] | None = None) -> bool:
    """Whether this process runs as LocalSystem (an RMM agent, a SYSTEM scheduled task).

    Windows sets USERNAME to '<COMPUTERNAME>$' for SYSTEM, and USERPROFILE under systemprofile. A user
    package started from here must then go through the interactive-user launcher (DOMAIN.md section 4).
    """
    env = os.environ if environ is None else environ
    computer = env.get("COMPUTERNAME", "")
    user = env.get("USERNAME", "")
    profile = env.get("USERPROFILE", "").lower()
    return bool(computer) and (user.upper() == f"{computer.upper()}$" or profile.endswith("\\systemprofile"))


class LocalRunner(RunnerBase):
    def __init__(self, settings: ConnectionSettings) -> None:
        super().__init__(settings)

    def run_script(self, script: str, timeout_s: float) -> RunOutcome:
        exe = find_powershell()
        if exe is None:
            raise RunnerError("powershell.exe is not on PATH: local runs need Windows PowerShell 5.1 (run on "
                              "Windows, or use --transport psrp|winrm against a host)",
                              code="powershell_missing", host=self.settings.host, stage="launch")
        start = time.monotonic()
        fd, path = tempfile.mkstemp(prefix="remediate-", suffix=".ps1")  # mkstemp: readable by us only
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(script.encode("ascii", "replace"))
            args = [exe, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", path]
            try:
                proc = subprocess.run(args, capture_output=True, timeout=timeout_s, check=False)
            except subprocess.TimeoutExpired:
                raise timeout_error(self.settings.host, "script", timeout_s) from None
            except OSError as exc:
                raise RunnerError(f"{self.settings.host}: cannot start powershell.exe ({exc.strerror})",
                                  code="powershell_missing", host=self.settings.host, stage="launch") from None
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        stderr, errors = decode_stderr(proc.stderr.decode("utf-8", "replace"))
        return RunOutcome(exit_code=proc.returncode, stdout=proc.stdout.decode("utf-8", "replace"),
                          stderr=stderr, errors=errors, duration_s=time.monotonic() - start, requests=0)

    def close(self) -> None:
        pass
