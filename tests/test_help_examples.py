"""Every command's --help: an example that pastes correctly (a test runs it, or parses it when it needs hosts,
Intune or a certificate), `--output json` everywhere, and shell completion that completes package ids."""

from __future__ import annotations

import json
import shlex

import click
import pytest
from click.testing import CliRunner

from remediate.cli import ENVIRONMENT, cli

# Commands whose examples run here for real; the others reach hosts, Graph or a signing certificate.
RUNNABLE = {"list", "explain", "lint", "generate", "init", "package"}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def examples(path: tuple[str, ...]) -> list[list[str]]:
    """The command lines of the help's Example(s) block, as a shell would split them (one per `&&` part)."""
    text = CliRunner().invoke(cli, [*path, "--help"]).stdout
    block = text.split("Example", 1)[1].split("\n\n", 1)[0]
    lines = []
    for line in block.splitlines()[1:]:
        words = shlex.split(line, comments=True)
        while words:
            part, words = (words[:words.index("&&")], words[words.index("&&") + 1:]) if "&&" in words else (words, [])
            if ">" in part:
                part = part[:part.index(">")]
            if part and part[0] == "remediate":
                lines.append(part[1:])
    return lines


ALL = [(path, args) for path, _ in [((), cli), *_commands(cli)] for args in examples(path)]


def leaf(args: list[str]) -> tuple[click.Command, click.Context]:
    """Parse a command line as click would, down to the command that runs (raises on any usage error)."""
    ctx = cli.make_context("remediate", list(args))
    command: click.Command = cli
    rest = [*ctx._protected_args, *ctx.args]
    while isinstance(command, click.Group):
        name, command, rest = command.resolve_command(ctx, rest)
        ctx = command.make_context(name, list(rest), parent=ctx)
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
    return command, ctx


def test_every_command_has_an_example():
    missing = [" ".join(p) for p, _ in _commands(cli) if not isinstance(_, click.Group) and not examples(p)]
    assert missing == []


@pytest.mark.parametrize("path, args", ALL, ids=[" ".join(a) for _, a in ALL])
def test_every_example_parses(path, args):
    _command, ctx = leaf(args)
    if path and args[0] == path[0]:  # (an example may chain another command after &&)
        assert ctx.command_path.split()[1:len(path) + 1] == list(path)
    if "username" in ctx.params and ctx.params["username"]:
        assert "\\" in ctx.params["username"], "a DOMAIN\\user example must be quoted to survive the shell"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder where the local examples can run: generated scripts, bundles and a site config."""
    folder = tmp_path_factory.mktemp("examples")
    (folder / "site.toml").write_text("")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for setup in (["generate", "--out", "detection_scripts"], ["package", "--out", "dist"]):
            assert CliRunner().invoke(cli, setup).exit_code == 0
    return folder


@pytest.mark.parametrize("path, args", [(p, a) for p, a in ALL if leaf(a)[0].name in RUNNABLE and "--sign" not in a],
                         ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_local_examples_run(path, args, workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    monkeypatch.setattr("remediate.generate.source_root", lambda: None)  # leave the checkout's docs alone
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, (args, res.output)


def test_every_command_offers_json_output():
    lacking = []
    for path, command in _commands(cli):
        if isinstance(command, click.Group):
            continue
        output = next((p for p in command.params if p.name == "output"), None)
        if output is None or "json" not in output.type.choices:
            lacking.append(" ".join(path))
    assert lacking == []


def test_short_help_flag_and_environment_variables_in_help():
    text = CliRunner().invoke(cli, ["-h"]).stdout
    assert "Environment variables:" in text
    assert all(name in text for name in ENVIRONMENT)
    assert CliRunner().invoke(cli, ["run", "-h"]).stdout.startswith("Usage: ")


@pytest.mark.parametrize("words, expected", [
    ("remediate run --package caa", ["caa20002-device", "caa20002-user"]),
    ("remediate package --package caa20002-u", ["caa20002-user"]),
    ("remediate state reset --package ", ["caa20002-device", "caa20002-user"]),
])
def test_shell_completion_completes_package_ids(words, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the built-in packages
    res = CliRunner().invoke(cli, [], prog_name="remediate", env={
        "_REMEDIATE_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)})
    assert [line.split(",", 1)[1] for line in res.stdout.splitlines()] == expected
