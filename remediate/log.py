"""structlog set-up: events with stable dotted names go to stderr; stdout carries only results.

Secrets never reach a log: any key that looks like a credential is replaced, and registered secret values
(``register_secret``) are masked wherever they appear in a string.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_SECRET_KEYS = ("password", "secret", "token", "authorization", "credential", "key_password")
_SECRET_VALUES: set[str] = set()
MASK = "***"


def register_secret(value: str | None) -> None:
    """Mask this exact value in every future log event."""
    if value:
        _SECRET_VALUES.add(value)


def redact(text: str) -> str:
    for secret in _SECRET_VALUES:
        text = text.replace(secret, MASK)
    return text


def _redact_processor(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in list(event):
        if any(word in key.lower() for word in _SECRET_KEYS):
            event[key] = MASK
    return event


def _masked(renderer: Any) -> Any:
    """The renderer, then every registered secret masked in the rendered line: at the edge, so nested values
    and formatted exceptions are covered too."""

    def render(logger: Any, name: str, event: dict[str, Any]) -> Any:
        line = renderer(logger, name, event)
        return redact(line) if isinstance(line, str) else line

    return render


def _quiet_third_parties(level: str) -> None:
    """Libraries log through the standard logging module (pypsrp, spnego, urllib3, azure-identity) and warn
    through ``warnings``. Below ``--log-level debug`` neither reaches stderr (Python's last-resort handler would
    print their warnings there); at debug both go to stderr with their logger names."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_remediate", False):
            root.removeHandler(handler)
    logging.captureWarnings(True)
    if level == "debug":
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.setLevel(logging.DEBUG)
    else:  # a handler that drops everything: Python's last-resort handler is used only when there is none
        handler = logging.NullHandler()
    handler._remediate = True  # type: ignore[attr-defined]
    root.addHandler(handler)


def configure(level: str = "warning", fmt: str = "console") -> None:
    _quiet_third_parties(level)
    renderer: Any = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(
        colors=False)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact_processor,
            _masked(renderer),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str = "remediate") -> Any:
    return structlog.get_logger(name)
