"""Live mode: the real thing against a real Windows host, when its variables are set (never here).

    REMEDIATE_LIVE_HOST=pc-0042 REMEDIATE_LIVE_USER='CORP\\admin' REMEDIATE_PASSWORD=... \\
    [REMEDIATE_LIVE_TRANSPORT=psrp|winrm] [REMEDIATE_LIVE_INSECURE=1] python -m pytest -m live tests/test_live.py

It runs the device package's detection, then its remediation in dry-run (nothing changes), and checks the
contract end to end: one record, our JSON result, the exit code that result's verdict maps to.
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from remediate.cli import cli

HOST = os.environ.get("REMEDIATE_LIVE_HOST")
pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not (HOST and os.environ.get("REMEDIATE_LIVE_USER") and os.environ.get("REMEDIATE_PASSWORD")),
                       reason="set REMEDIATE_LIVE_HOST, REMEDIATE_LIVE_USER and REMEDIATE_PASSWORD for live tests"),
]


def _run(*extra: str) -> dict:
    args = ["run", HOST, "--package", "caa20002-device", "--username", os.environ["REMEDIATE_LIVE_USER"],
            "--transport", os.environ.get("REMEDIATE_LIVE_TRANSPORT", "psrp"), "--output", "json", *extra]
    if os.environ.get("REMEDIATE_LIVE_INSECURE") == "1":
        args.append("--insecure")
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_live_detection_answers_with_our_result():
    data = _run()
    assert data["summary"]["hosts"] == 1 and data["summary"]["errors"] == {}
    assert data["records"][0]["verdict"] in ("compliant", "non_compliant")
    assert os.environ["REMEDIATE_PASSWORD"] not in json.dumps(data)


def test_live_dry_run_remediation_changes_nothing():
    data = _run("--dry-run")
    assert data["summary"]["hosts"] == 1 and data["summary"]["errors"] == {}
