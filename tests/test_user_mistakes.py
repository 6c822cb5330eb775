"""User mistakes: one line on stderr, nothing on stdout, no traceback, and the exit code README.md documents.

Each row is a mistake a new user makes (unwritable paths, bad config, bad flags, missing credentials, bad
inventories), run through the CLI from an empty folder with the built-in packages and a clean environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from remediate.errors import ExitCode
from tests.wsman_server.fixtures import loopback  # noqa: F401  (fixture)

USAGE, CONFIG, SERVICE = ExitCode.USAGE, ExitCode.CONFIG, ExitCode.SERVICE
RUN = ("run", "PC-1", "--package", "caa20002-device", "--username", "u")
PASSWORD = {"REMEDIATE_PASSWORD": "p"}

# name of the file -> its text, made in the empty folder before each case
FILES = {
    "afile": "not a folder\n",
    "bad.toml": "x = [\n",
    "typo-key.toml": 'packagingdir = "p"\n',
    "typo-package.toml": "[overrides.caa20002-usr.teams_cache]\nwindow_hours = 1\n",
    "typo-check.toml": "[overrides.caa20002-user.teams_cach]\nwindow_hours = 1\n",
    "other-check.toml": "[overrides.caa20002-user.tls12_machine]\nfix = true\n",
    "typo-option.toml": "[overrides.caa20002-user.teams_cache]\nwindow_hour = 1\n",
    "bad-value.toml": '[overrides.caa20002-user.teams_cache]\nwindow_hours = "soon"\n',
    "no-packages.toml": 'packaging_dir = "nowhere"\n',
    "out-is-file.toml": 'out_dir = "afile/out"\n',
    "hosts-bad.txt": "PC-1\nbad host!\n",
    "hosts-empty.txt": "# nobody\n",
    "hosts.csv": "name,ip\npc,10.0.0.1\n",
    "ca.pem": "-----BEGIN CERTIFICATE-----\n",
}

CASES = [
    # unwritable outputs: exit 5 before anything is written
    ("generate-out-under-a-file", ["generate", "--out", "afile/x"], {}, CONFIG, "afile/x"),
    ("package-out-under-a-file", ["package", "--out", "afile/x"], {}, CONFIG, "cannot write"),
    ("package-rmm-out-under-a-file", ["package", "--rmm", "datto", "--out", "afile/x"], {}, CONFIG, "cannot write"),
    ("results-file-folder-missing", [*RUN, "--results", "nowhere/r.jsonl"], PASSWORD, CONFIG, "does not exist"),
    ("results-file-under-a-file", [*RUN, "--results", "afile/r.jsonl"], PASSWORD, CONFIG, "afile/r.jsonl"),
    ("html-under-a-file", ["results", "--package", "caa20002-device", "--html", "afile/r.html"], {}, CONFIG,
     "cannot write"),
    ("config-out-dir-under-a-file", ["--config", "out-is-file.toml", "generate"], {}, CONFIG, "cannot write"),
    ("init-under-a-file", ["init", "afile/site"], {}, CONFIG, "cannot write"),
    # bad configuration: the config file and key named, with "did you mean"
    ("config-missing", ["--config", "missing.toml", "list"], {}, CONFIG, "missing.toml: cannot read"),
    ("config-env-missing", ["list"], {"REMEDIATE_CONFIG": "missing.toml"}, CONFIG, "missing.toml: cannot read"),
    ("config-not-toml", ["--config", "bad.toml", "list"], {}, CONFIG, "bad.toml: not valid TOML"),
    ("config-key-typo", ["--config", "typo-key.toml", "list"], {}, CONFIG, "did you mean 'packaging_dir'?"),
    ("config-package-typo", ["--config", "typo-package.toml", "list"], {}, CONFIG,
     "typo-package.toml: overrides.caa20002-usr: unknown package (did you mean 'caa20002-user'?)"),
    ("config-check-typo", ["--config", "typo-check.toml", "list"], {}, CONFIG, "did you mean 'teams_cache'?"),
    ("config-check-of-other-package", ["--config", "other-check.toml", "list"], {}, CONFIG,
     "is not a check of this package"),
    ("config-option-typo", ["--config", "typo-option.toml", "list"], {}, CONFIG, "did you mean 'window_hours'?"),
    ("config-bad-value", ["--config", "bad-value.toml", "list"], {}, CONFIG,
     "bad-value.toml: overrides.caa20002-user.teams_cache.window_hours: expected integer"),
    ("config-packaging-dir-missing", ["--config", "no-packages.toml", "list"], {}, CONFIG,
     "packaging directory not found"),
    ("unknown-package-id", ["run", "PC-1", "--package", "caa20002-devic"], {}, CONFIG,
     "did you mean 'caa20002-device'?"),
    # bad flags: click's usage errors, on one line
    ("unknown-option", ["list", "--bogus"], {}, USAGE, "No such option"),
    ("unknown-command", ["lsit"], {}, USAGE, "No such command"),
    ("bad-output-format", ["list", "--output", "xml"], {}, USAGE, "'xml' is not one of"),
    ("detect-only-and-remediate", [*RUN, "--detect-only", "--remediate"], PASSWORD, USAGE, "contradict"),
    ("run-without-hosts", ["run", "--package", "caa20002-device"], {}, USAGE, "exactly one"),
    ("insecure-with-ca-bundle", [*RUN, "--insecure", "--ca-bundle", "ca.pem"], PASSWORD, USAGE, "contradict"),
    ("cert-without-sign", ["package", "--cert", "x.pfx"], {}, USAGE, "need --sign"),
    ("explain-not-a-code", ["explain", "not-a-code"], {}, USAGE, "not an error code"),
    ("concurrency-zero", [*RUN, "--concurrency", "0"], PASSWORD, USAGE, "--concurrency"),
    ("config-is-a-folder", ["--config", ".", "list"], {}, USAGE, "--config"),
    # missing credentials
    ("no-password-no-terminal", list(RUN), {}, USAGE, "set REMEDIATE_PASSWORD"),
    ("results-without-graph-credentials", ["results", "--package", "caa20002-device"], {}, SERVICE,
     "no Graph credentials"),
    ("trigger-without-graph-credentials", ["trigger", "--package", "caa20002-user", "--device", "PC-1"], {},
     SERVICE, "no Graph credentials"),
    ("device-code-without-client-id", ["results", "--package", "caa20002-device", "--device-code", "--tenant-id",
                                       "t"], {}, SERVICE, "--device-code needs --client-id"),
    # bad inventories and inputs
    ("inventory-missing", ["run", "--inventory", "missing.txt", "--package", "caa20002-device"], {}, CONFIG,
     "missing.txt"),
    ("inventory-bad-host", ["run", "--inventory", "hosts-bad.txt", "--package", "caa20002-device"], {}, CONFIG,
     "hosts-bad.txt:2:"),
    ("inventory-empty", ["run", "--inventory", "hosts-empty.txt", "--package", "caa20002-device"], {}, CONFIG,
     "no hosts"),
    ("inventory-csv-without-host", ["run", "--inventory", "hosts.csv", "--package", "caa20002-device"], {}, CONFIG,
     "'host' column"),
    ("lint-missing-path", ["lint", "missing.ps1"], {}, CONFIG, "missing.ps1"),
]

CLEAN_ENV = ("REMEDIATE_CONFIG", "REMEDIATE_PASSWORD", "REMEDIATE_USERNAME", "AZURE_TENANT_ID", "AZURE_CLIENT_ID",
             "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH")


@pytest.fixture
def empty_folder(tmp_path, monkeypatch):
    """An empty working folder (so the built-in packages are used) with FILES, and no site config anywhere."""
    work = tmp_path / "work"
    work.mkdir()
    for name, text in FILES.items():
        (work / name).write_text(text)
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return work


@pytest.mark.parametrize("args, env, code, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_user_mistake_is_one_line_and_its_documented_exit_code(empty_folder, args, env, code, message):
    before = sorted(p.relative_to(empty_folder) for p in empty_folder.rglob("*"))
    res = CliRunner().invoke(cli, args, env={**{name: None for name in CLEAN_ENV}, **env})
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == code, res.stderr
    assert res.stdout == ""
    assert res.stderr.startswith("remediate: error: ") and res.stderr.count("\n") == 1, res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr
    if code in (CONFIG, USAGE):  # refused up front: nothing written, not even an empty results file
        assert sorted(p.relative_to(empty_folder) for p in empty_folder.rglob("*")) == before


def test_the_table_covers_every_documented_mistake_exit_code():
    assert {c[3] for c in CASES} == {USAGE, CONFIG, SERVICE}
    assert len(CASES) >= 30


def test_no_password_without_a_terminal_in_a_real_process(tmp_path):
    """A scheduler's process (stdin not a terminal): one line at once, no getpass warning, no 'Aborted!'."""
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    script = Path(sys.executable).parent / "remediate"  # the installed console script
    res = subprocess.run([str(script), *RUN], capture_output=True, text=True, cwd=tmp_path,
                         env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert res.returncode == USAGE
    assert res.stderr == ("remediate: error: no password for u and no terminal to ask on: set REMEDIATE_PASSWORD "
                          "(see 'remediate run -h')\n")


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
@pytest.mark.parametrize("closed", [False, True], ids=["port-open", "port-closed"])
def test_kerberos_without_username_says_no_credentials_only_when_the_port_answers(loopback, transport,
                                                                                     closed):  # noqa: F811
    """No --username and no Kerberos ticket (this machine has none, nor gssapi): 'no credentials', with what to
    do; a closed port is 'refused', whatever the credentials."""
    import json

    host = loopback.add_host()
    port = "1" if closed else str(loopback.port)
    res = CliRunner().invoke(cli, ["run", host, "--package", "caa20002-device", "--transport", transport,
                                   "--auth", "kerberos", "--no-ssl", "--port", port, "--output", "jsonl"],
                             env={name: None for name in CLEAN_ENV})
    assert res.exit_code == ExitCode.HOST_ERROR, res.output
    error = json.loads(res.stdout)["error"]
    if closed:
        assert error["code"] == "refused"
    else:
        assert error["code"] == "no_credentials", error
        assert "pass --username" in error["message"] and "kinit" in error["message"]
        assert "spnego" not in error["message"].lower() and "gssapi" not in error["message"].lower()
