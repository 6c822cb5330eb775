"""User-context execution: wrap a user package in the interactive-user launcher (a shipped .ps1, by name).

A WinRM/PSRP session is the connecting admin, and a local agent is SYSTEM; a user package must run in the
signed-in user's session (DOMAIN.md section 4). The launcher
``powershell/launcher/Invoke-RmAsInteractiveUser.ps1`` does it with a one-off scheduled task; here we only fill
in its values. Exit codes come from ``script_exit_code`` so the launcher and the scripts cannot disagree.

Shared by building (the RMM script of a user package embeds it) and running (the fleet wraps each script), so
it lives in the core, not in ``runners/``.
"""

from __future__ import annotations

import base64
import re
import textwrap
from importlib import resources

from remediate.errors import RenderError
from remediate.results import Phase, Verdict, script_exit_code

LAUNCHER = "Invoke-RmAsInteractiveUser.ps1"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MARGIN_S = 15  # the launcher must answer before the runner's own deadline cuts it off


def load_launcher() -> str:
    return (resources.files("remediate") / "powershell" / "launcher" / LAUNCHER).read_bytes().decode("ascii")


def wrap_for_interactive_user(script: str, *, package: str, phase: Phase | str, timeout_s: float) -> str:
    """The launcher script (ASCII, CRLF) that runs ``script`` as the interactive user within ``timeout_s``."""
    phase = Phase(phase)
    if not _SAFE_ID.match(package):
        raise RenderError(f"package id {package!r} cannot be embedded in the launcher")
    payload = base64.b64encode(script.encode("ascii", "replace")).decode()
    values = {
        "PACKAGE": package,
        "PHASE": phase.value,
        "WAIT_SECONDS": str(max(5, int(timeout_s) - _MARGIN_S)),
        "EXIT_SKIPPED": str(script_exit_code(phase, Verdict.SKIPPED)),
        "EXIT_ERROR": str(script_exit_code(phase, Verdict.ERROR)),
        "PAYLOAD": "\r\n".join(textwrap.wrap(payload, 100)),
    }
    text = load_launcher()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise RenderError(f"launcher placeholder left unfilled: {text[text.index('{{'):][:30]}")
    return text
