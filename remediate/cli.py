"""The ``remediate`` command line: click commands only, each a thin wrapper over the library.

Library errors (``RemediateError``) become one line on stderr and a documented exit code here, and only
here. stdout carries results; logs go to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from remediate import __version__, codes, generate, lint, log
from remediate.checks import all_checks
from remediate.config import load_settings
from remediate.errors import EXIT_CODE_HELP, ExitCode, RemediateError
from remediate.packages import load_packages


class RemediateGroup(click.Group):
    """Turns library errors into one line + exit code; Ctrl-C into exit 130. Never a traceback for these."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RemediateError as exc:
            click.echo(f"remediate: error: {exc}", err=True)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("remediate: interrupted", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))


def _exit_codes_epilog() -> str:
    lines = ["Exit codes:"] + [f"  {int(code):>3}  {text}" for code, text in EXIT_CODE_HELP.items()]
    return "\b\n" + "\n".join(lines)


@click.group(cls=RemediateGroup, epilog=_exit_codes_epilog())
@click.version_option(__version__, prog_name="remediate")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning",
              show_default=True, envvar="REMEDIATE_LOG_LEVEL", help="Log level (logs go to stderr).")
@click.option("--log-format", type=click.Choice(["console", "json"]), default="console", show_default=True,
              help="Log format on stderr.")
def cli(log_level: str, log_format: str) -> None:
    """Find and fix Microsoft 365 sign-in failure CAA20002 on Windows fleets.

    \b
    Example:
      remediate generate --check && remediate lint
    """
    log.configure(log_level, log_format)


def _load(config: Path | None):
    settings = load_settings(config)
    return settings, load_packages(settings.packaging_dir, settings.overrides)


@cli.command("generate")
@click.option("--check", "check_only", is_flag=True, help="Report create/identical/changed; write nothing; "
              "exit 1 on any drift.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Site configuration TOML.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder (default: detection_scripts/).")
def generate_cmd(check_only: bool, config: Path | None, out_dir: Path | None) -> None:
    """Render every package in packaging/ into detection_scripts/<package>/.

    \b
    Example:
      remediate generate            # write the scripts
      remediate generate --check    # CI: fail when committed scripts drifted
    """
    settings, packages = _load(config)
    target = out_dir or settings.out_dir
    plans = generate.plan(packages, target)
    logger = log.get_logger()
    for item in plans:
        if check_only or item.state is not generate.FileState.IDENTICAL:
            click.echo(str(item))
    if check_only:
        drifted = generate.drift(plans)
        click.echo(f"{len(plans)} file(s), {len(drifted)} differ from their templates")
        if drifted:
            raise SystemExit(int(ExitCode.NON_COMPLIANT))
        return
    written = generate.apply(plans)
    logger.info("generate.done", written=written, files=len(plans), out=str(target))
    click.echo(f"{written} file(s) written, {len(plans) - written} unchanged, in {target}")


@cli.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def lint_cmd(paths: tuple[Path, ...]) -> None:
    """Parse and lint PowerShell scripts against the Intune contract (default: detection_scripts/).

    \b
    Example:
      remediate lint
      remediate lint dist/intune/caa20002-user/detect.ps1
    """
    targets = list(paths) or [Path("detection_scripts")]
    issues = lint.lint_paths(targets)
    for issue in issues:
        click.echo(str(issue))
    click.echo(f"{len(issues)} issue(s)")
    if issues:
        raise SystemExit(int(ExitCode.NON_COMPLIANT))


@cli.command("list")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Site configuration TOML.")
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_cmd(config: Path | None, output: str) -> None:
    """List packages and the checks they run, with context and tier.

    \b
    Example:
      remediate list --output json
    """
    _, packages = _load(config)
    rows = [
        {"package": p.id, "run_as": p.run_as.value, "check": c.id, "context": c.check.context.value,
         "tier": c.check.tier.value, "fix": c.fix, "budget_s": c.check.budget_seconds}
        for p in packages for c in p.checks
    ]
    listed = {c.id for p in packages for c in p.checks}
    rows += [{"package": "-", "run_as": "-", "check": c.id, "context": c.context.value, "tier": c.tier.value,
              "fix": False, "budget_s": c.budget_seconds} for c in all_checks().values() if c.id not in listed]
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'package':18} {'check':26} {'context':8} {'tier':9} {'fix':5} budget")
    for r in rows:
        click.echo(f"{r['package']:18} {r['check']:26} {r['context']:8} {r['tier']:9} "
                   f"{'yes' if r['fix'] else 'no':5} {r['budget_s']}s")


@cli.command("explain", context_settings={"ignore_unknown_options": True})
@click.argument("code")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain_cmd(code: str, output: str) -> None:
    """Decode a CAA / AADSTS / HRESULT code given as hex, unsigned or signed decimal.

    \b
    Example:
      remediate explain 0xCAA20002
      remediate explain -895352830
    """
    info = codes.explain(code)
    if output == "json":
        data = {"code": info.code, "value": info.value, "layer": info.layer, "layer_title": info.layer_title,
                "meaning": info.meaning, "checks": list(info.checks), "known": info.known}
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(codes.format_explanation(info))


def main() -> None:
    """Console-script entry point."""
    # Windows consoles and pipes may not be UTF-8; our output is ASCII-safe, but never crash on encoding.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    cli(prog_name="remediate")
