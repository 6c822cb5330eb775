"""Secrets are masked at the edge: the password `remediate run` reads is registered with the log, so no log
format ever shows it, even when an event carries it in free text."""

from __future__ import annotations

import pytest
import structlog

from remediate import log
from tests.test_cli_run import device, invoke
from tests.wsman_server.fixtures import PASSWORD, loopback  # noqa: F401  (fixture)


@pytest.fixture
def fresh_registry(monkeypatch):
    monkeypatch.setattr(log, "_SECRET_VALUES", set())
    yield
    structlog.reset_defaults()


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_the_run_password_never_appears_in_any_log_format(fmt, loopback, fresh_registry, capsys):  # noqa: F811
    host = loopback.add_host(device(compliant=True))
    res = invoke(loopback, host, "--package", "caa20002-device")
    assert res.exit_code == 0, res.output
    assert PASSWORD not in res.stdout + res.stderr
    # The same process logs an event that carries the password in free text (an exception message, say):
    log.configure("debug", fmt)
    log.get_logger("remediate.test").error("runner.failed", detail=f"server said: bad password {PASSWORD}",
                                           note=["nested", PASSWORD])
    err = capsys.readouterr().err
    assert "runner.failed" in err and log.MASK in err
    assert PASSWORD not in err


def test_nothing_is_registered_without_a_password(fresh_registry):
    log.configure("debug", "json")
    assert log.redact(f"x {PASSWORD}") == f"x {PASSWORD}"
