"""One error hierarchy and the CLI's exit codes, defined once.

Library code raises these; only ``cli.py`` turns them into a one-line message and an exit code.
"""

from __future__ import annotations

import enum
from typing import Any


class ExitCode(enum.IntEnum):
    """Exit codes of the ``remediate`` command (documented in README.md, generated from this table)."""

    OK = 0  # all compliant or fixed; generate/lint clean
    NON_COMPLIANT = 1  # a host is still non-compliant; generate --check found drift; lint found errors
    USAGE = 2  # bad command line (click's own code)
    REMEDIATION_FAILED = 3  # a remediation ran and failed
    HOST_ERROR = 4  # some hosts were unreachable or errored (no verdict for them)
    CONFIG = 5  # bad configuration or input file (packaging TOML, inventory, certificate)
    SERVICE = 6  # Microsoft Graph or authentication failure
    OUTCOME_UNKNOWN = 7  # a remote action (trigger) was sent but its answer was lost: did it run? check Intune
    INTERRUPTED = 130  # Ctrl-C; what finished is kept


EXIT_CODE_HELP = {
    ExitCode.OK: "success: every host compliant or fixed; generate/lint found nothing",
    ExitCode.NON_COMPLIANT: "non-compliance remains; or generate --check found drift; or lint found errors",
    ExitCode.USAGE: "usage error on the command line",
    ExitCode.REMEDIATION_FAILED: "a remediation ran and failed on at least one host",
    ExitCode.HOST_ERROR: "at least one host was unreachable or errored",
    ExitCode.CONFIG: "invalid configuration or input file",
    ExitCode.SERVICE: "Microsoft Graph or authentication failure",
    ExitCode.OUTCOME_UNKNOWN: "a remote action was sent but its outcome is unknown (5xx or timeout): check the "
                              "Intune portal before sending it again",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); finished hosts are kept in the results file",
}


class RemediateError(Exception):
    """Base of every error this project raises on purpose. ``str()`` is a one-line message for the user."""

    exit_code: ExitCode = ExitCode.CONFIG

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def __str__(self) -> str:
        return self.message


class ConfigError(RemediateError):
    """A packaging/config/inventory file is invalid. Names the file, the key and what was expected."""

    exit_code = ExitCode.CONFIG

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        prefix = ""
        if file:
            prefix = f"{file}: "
            if key:
                prefix = f"{file}: {key}: "
        elif key:
            prefix = f"{key}: "
        super().__init__(prefix + message, file=file, key=key)


class RenderError(RemediateError):
    """A template could not be rendered (a bug in a check, or an option value that cannot be rendered)."""

    exit_code = ExitCode.CONFIG


class RunnerError(RemediateError):
    """A script could not be run on a host. ``code`` is a stable error code for the host's record."""

    exit_code = ExitCode.HOST_ERROR

    def __init__(
        self,
        message: str,
        *,
        code: str,
        host: str | None = None,
        stage: str | None = None,
        http_status: int | None = None,
        fault_code: int | None = None,
    ) -> None:
        super().__init__(message, code=code, host=host, stage=stage, http_status=http_status,
                         fault_code=fault_code)
        self.code = code
        self.host = host
        self.stage = stage
        self.http_status = http_status
        self.fault_code = fault_code


class ServiceError(RemediateError):
    """Microsoft Graph or authentication failed."""

    exit_code = ExitCode.SERVICE

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message, status=status, code=code)
        self.status = status
        self.code = code


class OutcomeUnknownError(ServiceError):
    """A request that must not be repeated (an on-demand run, a create) got no clear answer: a 5xx, a lost
    connection or a timeout after it was sent. It may or may not have happened, so it is not re-sent."""

    exit_code = ExitCode.OUTCOME_UNKNOWN

    def __init__(self, message: str, *, reason: str, status: int | None = None) -> None:
        super().__init__(message, status=status, code="outcome_unknown")
        self.reason = reason  # what happened instead of an answer: "server error 502", "ReadTimeout"
