"""``remediate collect`` through click's CliRunner against the loopback WS-Man server: the collect script
first, then the second pipeline that brings the bundle back, checked against the size and hash announced."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from remediate.collect import bundle_path_problem
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import PASSWORD, USER, loopback  # noqa: F401  (fixture)

PATH = "C:\\ProgramData\\remediate\\collect\\bundle-caa20002-device.zip"


def make_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.txt", "remediate support bundle\r\n")
        archive.writestr("dsregcmd-status.txt", "AzureAdJoined : YES\r\n" * 5000)
    return buffer.getvalue()


def device(data: bytes, *, path: str = PATH, announce_sha: str | None = None) -> HostProgram:
    facts = {"path": path, "bytes": len(data), "sha256": announce_sha or hashlib.sha256(data).hexdigest(),
             "files": ["index.txt", "dsregcmd-status.txt"], "omitted": []}
    line = json.dumps({"schema_version": 1, "package": "caa20002-device", "phase": "collect", "verdict": "compliant",
                       "findings": [{"id": "bundle", "state": "pass", "reason": "collected", "facts": facts}]})

    def respond(script: str, state: dict) -> Action:
        if "Invoke-RmCollect -Context" in script:
            return Action(output=(line,), exit_code=0)
        assert "ToBase64String" in script and base64.b64encode(path.encode()).decode() in script
        text = base64.b64encode(data).decode()
        chunks = tuple(text[i:i + 65536] for i in range(0, len(text), 65536))
        return Action(output=chunks + (json.dumps({"bytes": len(data)}),), exit_code=0)

    return HostProgram(script=respond)


def invoke(server, *args: str):
    base = ["collect", "--port", str(server.port), "--auth", "ntlm", "--username", USER, "--no-ssl",
            "--package", "caa20002-device"]
    return CliRunner().invoke(cli, base + list(args), env={"REMEDIATE_PASSWORD": PASSWORD}, catch_exceptions=False)


def test_the_bundle_comes_back_byte_for_byte(loopback, tmp_path):  # noqa: F811
    data = make_zip()
    host = loopback.add_host(device(data))
    res = invoke(loopback, host, "--out", str(tmp_path), "--output", "json")
    assert res.exit_code == 0, res.output
    (record,) = json.loads(res.stdout)["result"]
    assert (tmp_path / f"{host}-caa20002-device.zip").read_bytes() == data
    assert record["bytes"] == len(data) and record["files"] == ["index.txt", "dsregcmd-status.txt"]
    assert len(loopback.host(host).scripts) == 2  # the collect script, then the read-back pipeline


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"announce_sha": "0" * 64}, "damaged"),
    ({"path": "C:\\Windows\\System32\\config\\SAM"}, "not a bundle file"),
], ids=["hash-mismatch", "path-outside"])
def test_a_bundle_that_is_not_what_was_announced_is_refused(loopback, tmp_path, kwargs, message):  # noqa: F811
    host = loopback.add_host(device(make_zip(), **kwargs))
    res = invoke(loopback, host, "--out", str(tmp_path))
    assert res.exit_code == 4 and message in res.stdout
    assert not list(tmp_path.glob("*.zip"))


@pytest.mark.parametrize(("path", "ok"), [
    (PATH, True),
    ("C:\\Users\\jürgen\\AppData\\Local\\remediate\\collect\\bundle-caa20002-device.zip", True),
    ("C:\\ProgramData\\remediate\\collect\\..\\..\\secret\\bundle-caa20002-device.zip", False),
    ("\\\\server\\share\\remediate\\collect\\bundle-caa20002-device.zip", False),
    ("C:\\ProgramData\\remediate\\collect\\bundle-caa20002-user.zip", False),
], ids=["programdata", "non-ascii-user", "dot-dot", "unc", "other-package"])
def test_only_the_bundle_file_may_be_read_back(path, ok):
    assert (bundle_path_problem(path, "caa20002-device") is None) is ok


@pytest.mark.pwsh
def test_the_read_back_script_runs_in_real_powershell_on_a_non_ascii_path(tmp_path):
    """The shipped read-back script (with the path filled in) in pwsh, and its output decoded as the CLI does."""
    import subprocess

    from remediate.collect import decode_transfer, read_script
    from simwin.engine import find_pwsh

    data = make_zip() * 3
    target = tmp_path / "jürgen's [dir]" / "bundle-caa20002-device.zip"
    target.parent.mkdir()
    target.write_bytes(data)
    script = tmp_path / "read.ps1"
    script.write_text(read_script(str(target)), encoding="ascii")
    proc = subprocess.run([find_pwsh(), "-NoProfile", "-NonInteractive", "-File", str(script)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0 and proc.stderr == ""
    assert decode_transfer(proc.stdout, len(data), hashlib.sha256(data).hexdigest()) == data


def test_docs_list_exactly_the_bundle_files():
    from pathlib import Path

    from remediate import collect_spec

    doc = (Path(__file__).resolve().parents[1] / "docs" / "collect.md").read_text(encoding="utf-8")
    assert collect_spec.markdown_table() in doc
