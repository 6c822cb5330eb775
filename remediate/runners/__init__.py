"""Run scripts locally or on remote hosts: one Runner protocol (``base``), one module per transport, and the
factory below, the only place that names a concrete runner (as pipx builds its backends in its package init).
It imports no transport library until a runner is made, so the CLI reads ``TRANSPORTS`` at start-up for free.

Adding a transport: a module here with a ``RunnerBase`` subclass, and its name in ``TRANSPORTS`` (and ``REMOTE``)
and a branch in ``make_runner`` here (docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from remediate.errors import ConfigError

if TYPE_CHECKING:  # the protocol and settings live in remediate.runners.base; this module stays cheap to import
    from remediate.runners.base import ConnectionSettings, Runner

__all__ = ["REMOTE", "TRANSPORTS", "make_runner"]

TRANSPORTS = ("psrp", "winrm", "local")
# Transports that reach another machine as the connecting admin: a remediation run sends one cycle script, and a
# user package goes through the interactive-user launcher (remediate/fleet.py).
REMOTE = ("psrp", "winrm")


def make_runner(settings: ConnectionSettings) -> Runner:
    """A runner for ``settings.transport``; the transport's library is imported only when it is used."""
    if settings.transport == "psrp":
        from remediate.runners.psrp import PSRPRunner

        return PSRPRunner(settings)
    if settings.transport == "winrm":
        from remediate.runners.winrm import WinRMRunner

        return WinRMRunner(settings)
    if settings.transport == "local":
        from remediate.runners.local import LocalRunner

        return LocalRunner(settings)
    raise ConfigError(f"unknown transport {settings.transport!r}; expected one of {', '.join(TRANSPORTS)}")
