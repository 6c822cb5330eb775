"""Run scripts locally or on remote hosts: one Runner protocol, one module per transport, one factory."""

from remediate.runners.base import (
    AUTHS,
    ERROR_CODES,
    TRANSPORTS,
    ConnectionSettings,
    Runner,
    RunOutcome,
    make_runner,
)
from remediate.runners.user_context import wrap_for_interactive_user

__all__ = ["AUTHS", "ERROR_CODES", "TRANSPORTS", "ConnectionSettings", "RunOutcome", "Runner", "make_runner",
           "wrap_for_interactive_user"]
