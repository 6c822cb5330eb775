"""The ``remediate`` command line: click commands only, each a thin wrapper over the library.

Every command returns a ``remediate.output.Result`` and the format asked for; ``emit`` (the group's result
callback) is the one place that writes to stdout. Library errors (``RemediateError``) become one line on stderr
and a documented exit code here, and only here. Logs go to stderr.

Library modules are imported inside the commands that use them: ``remediate --version`` and ``remediate explain``
must start fast (RMM schedulers start the CLI per host), and the imports stay visible to readers and tools.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from remediate import __version__, defaults, runners
from remediate.errors import EXIT_CODE_HELP, ExitCode, RemediateError
from remediate.intune.permissions import help_text as permissions_help
from remediate.intune.schedule import SPEC_HELP
from remediate.output import Result, render


class RemediateGroup(click.Group):
    """Every user mistake ends as one line on stderr and a documented exit code, never a traceback: library
    errors (exit code of their class), click's usage errors (exit 2, without the multi-line usage block),
    Ctrl-C (exit 130)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            code = exc.exit_code
            click.echo(f"remediate: error: {_one_line(exc)}", err=True)
        except click.Abort:
            code = int(ExitCode.INTERRUPTED)
            click.echo("remediate: interrupted", err=True)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RemediateError as exc:
            click.echo(f"remediate: error: {exc}", err=True)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("remediate: interrupted", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))


def _one_line(exc: click.ClickException) -> str:
    """click's message on one line, with where to read more for a usage error."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} -h')"
    return message


def _exit_codes_epilog() -> str:
    lines = ["Exit codes:"] + [f"  {int(code):>3}  {text}" for code, text in EXIT_CODE_HELP.items()]
    env = ["Environment variables:"] + [f"  {name:<34} {text}" for name, text in ENVIRONMENT.items()]
    return "\b\n" + "\n".join(lines) + "\n\n\b\n" + "\n".join(env)


# Every environment variable the CLI reads, listed in `remediate --help` (README's table is the same list).
ENVIRONMENT = {
    "REMEDIATE_CONFIG": "site config file (like --config)",
    "REMEDIATE_LOG_LEVEL": "like --log-level",
    "REMEDIATE_USERNAME": "account for run / state reset (like --username)",
    "REMEDIATE_PASSWORD": "its password (never a flag; needed when there is no terminal to prompt)",
    "AZURE_TENANT_ID, AZURE_CLIENT_ID": "Graph app registration (publish, results, trigger)",
    "AZURE_CLIENT_SECRET": "its client secret (never a flag)",
    "AZURE_CLIENT_CERTIFICATE_PATH": "its certificate (like --certificate)",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD": "that certificate's password",
    "REMEDIATE_GRAPH_URL": "Graph base URL (default https://graph.microsoft.com/beta)",
    "SOURCE_DATE_EPOCH": "fixed signing time for reproducible signed bundles",
    "_REMEDIATE_COMPLETE": "shell completion: eval \"$(_REMEDIATE_COMPLETE=bash_source remediate)\"",
}


@click.group(cls=RemediateGroup, epilog=_exit_codes_epilog(), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="remediate")
@click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False), envvar="REMEDIATE_CONFIG",
              help="Site configuration TOML (default: REMEDIATE_CONFIG, then ~/.config/remediate/config.toml "
              "if present).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning",
              show_default=True, envvar="REMEDIATE_LOG_LEVEL", help="Log level (logs go to stderr).")
@click.option("--log-format", type=click.Choice(["console", "json"]), default="console", show_default=True,
              help="Log format on stderr.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, log_level: str, log_format: str) -> None:
    """Find and fix Microsoft 365 sign-in failure CAA20002 on Windows fleets.

    \b
    Example:
      remediate generate --check && remediate lint
      remediate --config site.toml list
    """
    ctx.obj = {"config": config}
    if ctx.invoked_subcommand not in _SILENT_COMMANDS:
        from remediate import log

        log.configure(log_level, log_format)


@cli.result_callback()
def emit(answer: tuple[Result, str] | None, **_options: Any) -> None:
    """The one place that prints: a command's result in the format asked for, notes on stderr, then its exit
    code."""
    if answer is None:
        return
    result, fmt = answer
    click.echo(render(result, fmt), nl=False)
    for note in result.notes:
        click.echo(note, err=True)
    if result.exit_code:
        sys.exit(result.exit_code)


# The transports' authentication names, spelt out so `remediate --help` does not import the runners' base
# (tests/test_cli.py checks this equals remediate.runners.base.AUTHS).
_AUTHS = ("negotiate", "ntlm", "kerberos", "credssp", "certificate", "basic")

# RMM output profiles, spelt out for the same reason (tests/test_rmm_cli.py checks this equals remediate.rmm).
_RMM_PROFILES = ("intune", "json", "nagios", "tactical", "datto", "ninjaone", "nsight")

# Commands that never log: they skip importing and configuring structlog, for a fast cold start.
_SILENT_COMMANDS = {"explain"}


def _output_option(*formats: str) -> Any:
    return click.option("--output", type=click.Choice(formats), default=formats[0], show_default=True,
                        help="Output format; json is the versioned envelope of docs/output.md.")


# --config is a global option (`remediate --config FILE CMD`); the per-command spelling is kept, hidden, so that
# `remediate CMD --config FILE` keeps working. Either way _load finds the file.
_config_option = click.option("--config", type=click.Path(path_type=Path, dir_okay=False), hidden=True,
                              help="Site configuration TOML (also a global option).")


def _dry_run_option(help: str) -> Any:
    """--dry-run: an independent switch that always wins over any other flag, wherever it stands on the line."""
    return click.option("--dry-run", is_flag=True, help=help)


def _complete_package_ids(ctx: click.Context, _param: Any, incomplete: str) -> list[Any]:
    """Shell completion for --package: the ids of the packages this folder would use."""
    from remediate.config import package_ids

    return [click.shell_completion.CompletionItem(i) for i in package_ids() if i.startswith(incomplete)]


def _package_option(*, multiple: bool = False, required: bool = True, help: str = "Package id (see "
                    "'remediate list').") -> Any:
    """--package ID, completed from the packages in use. Shared by every command that takes one."""
    return click.option("--package", "package_ids" if multiple else "package_id", multiple=multiple,
                        required=required, metavar="ID", help=help, shell_complete=_complete_package_ids)


def _load(config: Path | None) -> tuple[Any, list[Any]]:
    """Settings and packages: the config from the command's --config, the global --config / REMEDIATE_CONFIG,
    or the default location; packages from it, ./packaging or the built-in ones."""
    from remediate.config import find_config, load_settings
    from remediate.packages import load_packages

    ctx = click.get_current_context(silent=True)
    global_config = (ctx.find_root().obj or {}).get("config") if ctx else None
    settings = load_settings(find_config(config or global_config))
    return settings, load_packages(settings.packaging_dir, settings.overrides, settings.source)


def _packages_if_readable() -> list[Any] | None:
    """The packages (global --config, REMEDIATE_CONFIG, ./packaging or built-in), or None when they do not load:
    the doctor reports on them elsewhere and must not stop for them."""
    try:
        return _load(None)[1]
    except RemediateError:
        return None


def _package(config: Path | None, package_id: str) -> Any:
    from remediate.packages import find_package

    return find_package(_load(config)[1], package_id)


@cli.command("generate")
@click.option("--check", "check_only", is_flag=True, help="Report create/identical/changed; write nothing; "
              "exit 1 on any drift.")
@_config_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder (default: detection_scripts/; then the generated docs tables too).")
@_output_option("text", "json")
def generate_cmd(check_only: bool, config: Path | None, out_dir: Path | None, output: str) -> tuple[Result, str]:
    """Render every package into detection_scripts/<package>/, and the docs tables generated from the code.

    \b
    Example:
      remediate generate            # write the scripts and docs tables
      remediate generate --check    # CI: fail when committed scripts or docs drifted
    """
    from remediate import generate
    from remediate.fsutil import check_writable_dir

    settings, packages = _load(config)
    if not check_only:
        check_writable_dir(out_dir or settings.out_dir)  # fail before writing anything
    docs_root = generate.source_root() if out_dir is None else None
    return generate.generate_result(packages, out_dir or settings.out_dir, check=check_only,
                                    docs_root=docs_root), output


@cli.command("init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".", required=False)
@click.option("--force", is_flag=True, help="Replace package files that differ from the built-in ones.")
@_output_option("text", "json")
def init_cmd(directory: Path, force: bool, output: str) -> tuple[Result, str]:
    """Copy the built-in packages to DIR/packaging/ (default: this folder) for a site to edit.

    Commands run in DIR use DIR/packaging/ instead of the built-in packages.

    \b
    Example:
      remediate init site && cd site && remediate list
    """
    from remediate.config import init_result

    return init_result(directory, force=force), output


@cli.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, metavar="RULES", help="Report only these rules (ids or prefixes, "
              "comma-separated or repeated: PS016,PS02; PSScriptAnalyzer names too: PSUseSingularNouns,PSAvoid).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not report these rules (ids, names or "
              "prefixes).")
@click.option("--list-rules", is_flag=True, help="List every rule and what it catches, then exit.")
@click.option("--no-pssa", is_flag=True, help="Skip PSScriptAnalyzer (it runs when REMEDIATE_PWSH, or pwsh on "
              "PATH, has the module; 10-60 s).")
@_output_option("text", "json", "jsonl", "sarif")
def lint_cmd(paths: tuple[Path, ...], select: tuple[str, ...], ignore: tuple[str, ...], list_rules: bool,
             no_pssa: bool, output: str) -> tuple[Result, str]:
    """Parse and lint PowerShell (.ps1) scripts against the Intune contract (default: detection_scripts/), with
    our rules and PSScriptAnalyzer's (docs/linting.md).

    Folders are searched for *.ps1; virtual environments, .git and caches are skipped. `--output sarif` is a
    SARIF 2.1.0 log for code-scanning tools.

    \b
    Example:
      remediate lint
      remediate lint dist/intune/caa20002-user/detect.ps1 --ignore PS021
      remediate lint --no-pssa --output sarif > lint.sarif
    """
    from remediate import lint

    if list_rules:
        return lint.rules_result(), "text" if output == "sarif" else output
    rules = lint.select_rules(select, ignore)
    keep = lint.analyzer_filter(select, ignore)
    return lint.lint_result(list(paths) or [Path("detection_scripts")], rules, analyzer=not no_pssa,
                            analyzer_keep=keep), output


@cli.command("list")
@_config_option
@_output_option("table", "json", "jsonl")
def list_cmd(config: Path | None, output: str) -> tuple[Result, str]:
    """List packages and the checks they run, with context and tier.

    \b
    Example:
      remediate list --output json
    """
    from remediate.packages import list_result

    return list_result(_load(config)[1]), output


@cli.command("explain", context_settings={"ignore_unknown_options": True})
@click.argument("code")
@_output_option("text", "json")
def explain_cmd(code: str, output: str) -> tuple[Result, str]:
    """Decode a CAA / AADSTS / HRESULT code given as hex, unsigned or signed decimal.

    \b
    Example:
      remediate explain 0xCAA20002
      remediate explain -895352830
    """
    from remediate.codes import explain_result

    return explain_result(code), output


# -- Intune (issue 5): thin wrappers over remediate.intune ----------------------------------------------------

def _sign_options(func: Any) -> Any:
    """--sign --cert FILE [--key FILE] [--password-env VAR]: shared by package and publish."""
    for option in reversed([
        click.option("--sign", is_flag=True, help="Sign both scripts with osslsigncode >= 2.8 "
                     "(sets enforceSignatureCheck)."),
        click.option("--cert", type=click.Path(path_type=Path, dir_okay=False), help="Code-signing certificate "
                     "(PEM/DER with --key, or .pfx/.p12)."),
        click.option("--key", type=click.Path(path_type=Path, dir_okay=False), help="Private key (PEM)."),
        click.option("--password-env", metavar="VAR", help="Environment variable holding the key password."),
    ]):
        func = option(func)
    return func


def _signer(sign: bool, cert: Path | None, key: Path | None, password_env: str | None) -> Any:
    if not sign:
        if cert or key or password_env:
            raise click.UsageError("--cert/--key/--password-env need --sign")
        return None
    if cert is None:
        raise click.UsageError("--sign needs --cert")
    from remediate.intune.signing import Signer, SigningConfig

    return Signer(SigningConfig(cert=cert, key=key, password_env=password_env))


def _graph_options(func: Any) -> Any:
    """Authentication flags; the AZURE_* environment variables fill what is not given. No secret as a flag."""
    for option in reversed([
        click.option("--tenant-id", help="Entra tenant id (default: AZURE_TENANT_ID)."),
        click.option("--client-id", help="Your tenant's app registration id (default: AZURE_CLIENT_ID); "
                     "docs/intune.md lists what it needs."),
        click.option("--certificate", "certificate_path", type=click.Path(dir_okay=False),
                     help="App certificate (default: AZURE_CLIENT_CERTIFICATE_PATH). A client secret is read "
                     "from AZURE_CLIENT_SECRET only."),
        click.option("--device-code", is_flag=True, help="Sign in as a person with a device code; needs "
                     "--tenant-id and --client-id of your own app registration (public client flows on): "
                     "the Azure CLI's client has no Intune permissions."),
        click.option("--deadline", "deadline_s", type=click.FloatRange(1, 86400),
                     default=defaults.GRAPH_DEADLINE_S, show_default=True,
                     metavar="SECONDS", help="Overall time limit for the Graph calls, waits for throttling "
                     "(Retry-After, honoured in full) included."),
    ]):
        func = option(func)
    return func


def _auth(tenant_id: str | None, client_id: str | None, certificate_path: str | None, device_code: bool,
          deadline_s: float = defaults.GRAPH_DEADLINE_S) -> Any:
    from remediate.intune.auth import AuthSettings

    return AuthSettings.resolve(tenant_id=tenant_id, client_id=client_id, certificate_path=certificate_path,
                                device_code=device_code)


def _graph_client(command: str, auth: dict[str, Any]) -> Any:
    """A Graph client for ``command``: its permissions go into 401/403 messages; --deadline bounds it."""
    from remediate.intune.build import graph_client

    return graph_client(_auth(**auth), command=command, deadline_s=auth["deadline_s"])


@cli.command("package")
@_package_option(multiple=True, required=False, help="Package id (repeatable; default: all).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("dist"),
              show_default=True, help="Output folder; bundles go to <out>/intune/<package>/.")
@_config_option
@_sign_options
@click.option("--rmm", "rmm_profile", type=click.Choice(_RMM_PROFILES), help="Instead of Intune bundles, write "
              "one self-contained RMM script per package to <out>/rmm/<profile>/<package>.ps1 (docs/rmm.md).")
@_output_option("table", "json")
def package_cmd(package_ids: tuple[str, ...], out_dir: Path, config: Path | None, sign: bool,
                cert: Path | None, key: Path | None, password_env: str | None, rmm_profile: str | None,
                output: str) -> tuple[Result, str]:
    """Build Intune bundles: scripts, Graph payload JSON, README with portal settings, and a zip.

    \b
    Example:
      remediate package --out dist
      remediate package --package caa20002-user --sign --cert signer.pfx --password-env SIGN_PASS
      remediate package --rmm datto --package caa20002-device
    """
    from remediate.fsutil import check_writable_dir
    from remediate.intune import build
    from remediate.render import render_package

    if rmm_profile:
        if sign:
            raise click.UsageError("--sign is for Intune bundles; RMM scripts are written unsigned")
        from remediate.generate import rmm_scripts_result

        check_writable_dir(out_dir)
        return rmm_scripts_result(build.select(_load(config)[1], package_ids), rmm_profile, out_dir), output
    signer = _signer(sign, cert, key, password_env)
    packages = build.select(_load(config)[1], package_ids)
    check_writable_dir(out_dir)  # fail before writing anything
    reports = build.build_bundles([render_package(p) for p in packages], out_dir, signer)
    return build.bundles_result(reports, out_dir), output


@cli.command("publish", epilog=permissions_help("publish"))
@_package_option()
@click.option("--group", "groups", multiple=True, metavar="ID|NAME", help="Entra group to include, by object id or "
              "display name (repeatable; a name matching several groups is refused).")
@click.option("--exclude-group", "exclude_groups", multiple=True, metavar="ID|NAME", help="Group to exclude.")
@click.option("--all-devices", is_flag=True, help="Assign to all devices.")
@click.option("--all-users", is_flag=True, help="Assign to all users (allLicensedUsersAssignmentTarget).")
@click.option("--filter", "filter_id", metavar="ID", help="Assignment filter id for the include targets given.")
@click.option("--filter-mode", type=click.Choice(["include", "exclude"]), default="include", show_default=True,
              help="Whether --filter keeps or leaves out the devices it matches.")
@click.option("--remove", multiple=True, metavar="ID|NAME|all-devices|all-users",
              help="Unassign this target (repeatable); other assignments are kept.")
@click.option("--schedule", metavar="SPEC", help=f"{SPEC_HELP} (default: the package's).")
@_dry_run_option("Send only reads; print the writes it would send. Without credentials, plans as if "
                 "nothing exists in Intune.")
@_config_option
@_sign_options
@_graph_options
@_output_option("text", "json")
def publish_cmd(package_id: str, groups: tuple[str, ...], exclude_groups: tuple[str, ...], all_devices: bool,
                all_users: bool, filter_id: str | None, filter_mode: str, remove: tuple[str, ...],
                schedule: str | None, dry_run: bool, config: Path | None, sign: bool, cert: Path | None,
                key: Path | None, password_env: str | None, output: str, **auth: Any) -> tuple[Result, str]:
    """Create or update a package's remediation in Intune by display name, then assign it.

    Running it twice changes nothing the second time. Assignments are merged with the current ones
    (the Graph assign call replaces the whole set) and every change is listed.

    \b
    Example:
      remediate publish --package caa20002-device --group 0f1e... --schedule daily:09:00 --dry-run
      remediate publish --package caa20002-user --group "Sales laptops" --filter 9a7c... --remove all-users
    """
    from remediate.intune import publish
    from remediate.intune.build import bundle_package
    from remediate.intune.schedule import parse_schedule
    from remediate.render import render_package

    request = publish.AssignmentRequest(include=groups, exclude=exclude_groups, all_devices=all_devices,
                                        all_users=all_users, filter_id=filter_id, filter_mode=filter_mode,
                                        remove=remove, schedule=parse_schedule(schedule) if schedule else None)
    bundle = bundle_package(render_package(_package(config, package_id)), _signer(sign, cert, key, password_env))
    offline = dry_run and _auth(**auth).mode == "none"
    client = None if offline else _graph_client("publish --dry-run" if dry_run else "publish", auth)
    result = publish.publish(client, bundle, request, dry_run=dry_run)
    return publish.publish_result(result, dry_run, offline=offline), output


@cli.command("unpublish", epilog=permissions_help("unpublish"))
@_package_option()
@_dry_run_option("Find the remediation; delete nothing.")
@_config_option
@_graph_options
@_output_option("text", "json")
def unpublish_cmd(package_id: str, dry_run: bool, config: Path | None, output: str,
                  **auth: Any) -> tuple[Result, str]:
    """Delete a package's remediation (and its assignments) from Intune; nothing to do when it is absent.

    \b
    Example:
      remediate unpublish --package caa20002-device --dry-run
    """
    from remediate.intune.publish import unpublish

    name = _package(config, package_id).display_name
    return unpublish(_graph_client("unpublish --dry-run" if dry_run else "unpublish", auth), name,
                     dry_run=dry_run), output


@cli.command("results", epilog=permissions_help("results") + " Exit codes: 0; 1 when --fail-on matched a device; "
             "5 bad --input or --fail-on; 6 Graph failure.")
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id.")
@_output_option("table", "json", "jsonl", "csv")
@click.option("--html", "html_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write one self-contained HTML page (states, per-cause view, charts, devices).")
@click.option("--input", "input_file", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Read saved deviceRunStates JSON instead of Intune (offline; docs/examples/run-states.json).")
@click.option("--fail-on", metavar="STATES", help="Exit 1 when any device is in one of these comma-separated "
              "states (e.g. needs_attention or failed,error); for monitoring.")
@_config_option
@_graph_options
def results_cmd(package_id: str, output: str, html_file: Path | None, input_file: Path | None,
                fail_on: str | None, config: Path | None, **auth: Any) -> tuple[Result, str]:
    """Read every device's result from Intune and aggregate: states, causes (fixed / needs a human), codes.

    \b
    Example:
      remediate results --package caa20002-device --html fleet.html --fail-on needs_attention
      remediate results --package caa20002-device --input docs/examples/run-states.json --html demo.html
    """
    from remediate.intune import fleet_results

    states = fleet_results.parse_fail_on(fail_on) if fail_on else frozenset()
    name = _package(config, package_id).display_name
    if html_file is not None:
        from remediate.fsutil import check_writable_dir

        check_writable_dir(html_file.parent)  # before any Graph call
    runs = (fleet_results.read_run_states(input_file) if input_file else
            fleet_results.fetch_run_states(_graph_client("results", auth), name))
    report = fleet_results.aggregate(name, runs)
    if html_file is not None:
        from remediate.fsutil import write_atomic
        from remediate.intune.html_report import header_for, render_html

        header = header_for(input_file, _auth(**auth).tenant_id if not input_file else None)
        write_atomic(html_file, render_html(report, header).encode("utf-8"))
    return fleet_results.report_result(report, states), output


@cli.command("trigger", epilog=permissions_help("trigger"))
@_package_option()
@click.option("--device", "devices", multiple=True, metavar="NAME|ID", help="Managed device name or Intune device "
              "id (repeatable).")
@click.option("--group", metavar="NAME|ID", help="Also every Intune-managed device in this Entra group.")
@_dry_run_option("Resolve everything; do not start the run.")
@_config_option
@_graph_options
@_output_option("text", "json")
def trigger_cmd(package_id: str, devices: tuple[str, ...], group: str | None, dry_run: bool, config: Path | None,
                output: str, **auth: Any) -> tuple[Result, str]:
    """Run a package's remediation on one device now (on-demand remediation).

    It is sent once: after a server error or a timeout its outcome is unknown, and the command says so
    (exit 7) instead of sending it again; check the device in the Intune portal.

    \b
    Example:
      remediate trigger --package caa20002-user --device PC-0042
      remediate trigger --package caa20002-user --device PC-0042 --device PC-0043 --group "Berlin kiosks"
    """
    from remediate.intune.trigger import trigger, trigger_many, trigger_result

    if not (devices or group):
        raise click.UsageError("give --device (repeatable) or --group")
    name = _package(config, package_id).display_name
    client = _graph_client("trigger --dry-run" if dry_run else "trigger", auth)
    if len(devices) == 1 and not group:  # one device: its error is the command's error (exit 6 or 7)
        return trigger_result(trigger(client, name, devices[0], dry_run=dry_run), name, devices[0], dry_run), output
    return trigger_many(client, name, list(devices), group, dry_run=dry_run), output


# -- remote runs: remediate run, remediate state reset ------------------------------------------------------

def _connection_options(func: Any) -> Any:
    """How to reach the hosts: shared by run and state reset."""
    for option in reversed([
        click.option("--transport", type=click.Choice(runners.REMOTE), default=runners.REMOTE[0],
                     show_default=True),
        click.option("--auth", type=click.Choice(_AUTHS), default=_AUTHS[0], show_default=True),
        click.option("--port", type=click.IntRange(1, 65535), help="Default 5986 with --ssl, 5985 without."),
        click.option("--ssl/--no-ssl", "use_ssl", default=True, show_default=True,
                     help="HTTPS (5986) or HTTP (5985)."),
        click.option("--ca-bundle", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                     help="PEM bundle that signs the hosts' WinRM certificates."),
        click.option("--insecure", is_flag=True, help="Skip certificate validation (explicit; warned on stderr)."),
        click.option("--username", envvar="REMEDIATE_USERNAME", help="Account; password from REMEDIATE_PASSWORD "
                     "or a prompt."),
    ]):
        func = option(func)
    return func


def _connection(host: str, local_run: bool, transport: str, auth: str, port: int | None, use_ssl: bool,
                ca_bundle: Path | None, insecure: bool, username: str | None) -> Any:
    """The settings for the first host (the fleet swaps the host name per host)."""
    from remediate.runners.base import ConnectionSettings

    if insecure and ca_bundle:
        raise click.UsageError("--insecure and --ca-bundle contradict each other")
    if insecure:
        click.echo("remediate: warning: --insecure: server certificates are not validated; anyone on the "
                   "network path can impersonate the hosts", err=True)
    return ConnectionSettings(
        host=host, transport="local" if local_run else transport, port=port, ssl=use_ssl, auth=auth,
        username=username, password=_password(None if local_run else username),
        cert_validation=False if insecure else (str(ca_bundle) if ca_bundle else True))


def _password(username: str | None) -> str | None:
    """From REMEDIATE_PASSWORD or a hidden prompt; never from the command line (shell history, ps). Registered
    with the log, which masks it in every event from here on."""
    import os

    from remediate import log

    if not username:
        return None
    password = os.environ.get("REMEDIATE_PASSWORD")
    if not password:
        if not _interactive():
            raise click.UsageError(f"no password for {username} and no terminal to ask on: set REMEDIATE_PASSWORD")
        password = click.prompt(f"Password for {username}", hide_input=True, err=True)
    log.register_secret(password)
    return password


def _interactive() -> bool:
    """Whether a person can answer a prompt (stdin is a terminal)."""
    return sys.stdin.isatty()


def _progress(enabled: bool, total: int) -> Any:
    """A progress bar with rate and ETA on a terminal (stderr); nothing on a pipe."""
    from remediate.progress import host_progress

    return host_progress(total, enabled=enabled)


@cli.command("run")
@click.argument("hosts", nargs=-1, metavar="[HOST]...")
@click.option("--inventory", type=click.Path(path_type=Path, dir_okay=False),
              help="Hosts file: text (HOST[:PORT] per line), CSV, Ansible INI/YAML or ansible-inventory --list "
              "JSON; UTF-8 or UTF-16 with BOM (docs/inventory.md).")
@click.option("--limit", metavar="PATTERN", help="Ansible host pattern: names, groups, wildcards, ~regex, "
              "':' or ',' unions, '&' intersections, '!' exclusions.")
@click.option("--host-column", metavar="NAME", help="The CSV column holding host names (default: host).")
@click.option("--rerun-failed", type=click.Path(path_type=Path, dir_okay=False), metavar="RESULTS",
              help="Only hosts whose last record in this --results file did not succeed.")
@click.option("--local", "local_run", is_flag=True, help="Run on this machine (needs powershell.exe).")
@_package_option()
@click.option("--detect-only", is_flag=True, help="Only detect (the default); contradicts --remediate.")
@click.option("--remediate", "fix", is_flag=True, help="Remediate non-compliant hosts, then verify.")
@_dry_run_option("Change nothing, whatever else is given (like Ansible's --check): the remediation runs "
                 "in dry-run mode and reports what it would do.")
@_connection_options
@click.option("--concurrency", "--forks", "concurrency", type=click.IntRange(1, defaults.CONCURRENCY_MAX),
              help="Hosts in flight at once (--forks: Ansible's name). Default: "
              f"{defaults.CONCURRENCY_PER_CORE} per core (measured: docs/benchmarks.md).")
@click.option("--processes", type=click.IntRange(1, 64), help="Client processes the hosts are split over. "
              f"Default: one per core for fleets of {defaults.POOL_MIN_HOSTS_PER_PROCESS} hosts per core or more, "
              "else one.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(1, 86400), default=defaults.HOST_TIMEOUT_S,
              show_default=True, help="Seconds per host for the whole detect/remediate/verify cycle; the pipeline "
              "is stopped at the deadline, and a host still silent 10 s later is recorded as timeout and abandoned.")
@_output_option("table", "json", "jsonl")
@click.option("--format", "rmm_format", type=click.Choice(_RMM_PROFILES), help="Answer like an RMM script in "
              "this profile (docs/rmm.md): its lines and exit code, instead of --output.")
@click.option("--results", "results_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Append each host's record (JSON Lines) as soon as it finishes.")
@_config_option
def run_cmd(hosts: tuple[str, ...], inventory: Path | None, limit: str | None, host_column: str | None,
            rerun_failed: Path | None, local_run: bool, package_id: str, detect_only: bool, fix: bool,
            dry_run: bool, concurrency: int | None, processes: int | None, timeout_s: float, output: str,
            rmm_format: str | None, results_file: Path | None, config: Path | None,
            **connection: Any) -> tuple[Result, str]:
    """Run a package on hosts over PSRP/WinRM (or locally): detect, and remediate + verify when asked.

    \b
    Examples:
      remediate run PC-0042 --package caa20002-device --username 'CORP\\admin'
      remediate run --inventory hosts.txt --package caa20002-user --remediate --results out.jsonl
      remediate run --inventory hosts.yml --limit 'kiosks:&berlin:!pc-0042' --forks 20 --package caa20002-device
      remediate run --inventory hosts.yml --rerun-failed out.jsonl --package caa20002-device --remediate
      remediate run PC-0042 --package caa20002-device --remediate --format nagios
    """
    from remediate import fleet
    from remediate.render import scripts_for
    from remediate.targets import select_targets

    sources = sum(bool(x) for x in (hosts, inventory, local_run))
    if sources > 1 or not (sources or rerun_failed):
        raise click.UsageError("give HOST arguments, --inventory FILE or --local (exactly one)")
    if local_run and (limit or host_column or rerun_failed):
        raise click.UsageError("--limit, --host-column and --rerun-failed select remote hosts, not --local")
    if detect_only and fix:
        raise click.UsageError("--detect-only and --remediate contradict each other")
    mode = fleet.RunMode.from_flags(detect_only=detect_only, remediate=fix, dry_run=dry_run)
    targets = None if local_run else select_targets(hosts, inventory, host_column=host_column, limit=limit,
                                                    rerun_failed=rerun_failed)
    host_list = ["localhost"] if targets is None else targets.names
    package = _package(config, package_id)
    if results_file is not None:
        from remediate.fsutil import check_appendable

        check_appendable(results_file)
    settings = _connection(host_list[0] if host_list else "localhost", local_run, **connection)
    concurrency = concurrency or defaults.default_concurrency()
    processes = 1 if local_run else processes or defaults.default_processes(len(host_list), concurrency)
    options = fleet.FleetOptions(
        package_id, remediate=mode.remediate, dry_run=mode.dry_run, concurrency=concurrency,
        processes=processes, host_timeout_s=timeout_s, user_context=package.run_as.value == "user",
        results_path=results_file)
    with _progress(sys.stderr.isatty() and output == "table", len(host_list)) as progress:
        result = fleet.run_fleet(host_list, settings, options, scripts_for(package), progress=progress,
                                 per_host={h.name: h.overrides for h in targets.hosts} if targets else None)
    answer = fleet.run_result(result, package_id, remediate=mode.remediate, rmm_format=rmm_format)
    # The fleet's exit code is the answer even when it is 0 (tests and schedulers read it).
    return answer, "text" if rmm_format and not result.interrupted else output


@cli.group("state")
def state_group() -> None:
    """The backoff state that scheduled runs keep on each machine.

    \b
    Example:
      remediate state reset PC-0042 --package caa20002-device
    """


@state_group.command("reset")
@click.argument("hosts", nargs=-1, metavar="[HOST]...")
@click.option("--inventory", type=click.Path(path_type=Path, dir_okay=False),
              help="Hosts file: one per line (# comments) or CSV with a 'host' column.")
@_package_option()
@click.option("--local", "local_run", is_flag=True, help="Reset on this machine (needs powershell.exe).")
@_connection_options
@click.option("--concurrency", type=click.IntRange(1, 512), default=defaults.default_concurrency(), show_default=True,
              help="Hosts at a time.")
@_config_option
@_output_option("text", "json", "jsonl")
def state_reset_cmd(hosts: tuple[str, ...], inventory: Path | None, package_id: str, local_run: bool,
                    concurrency: int, config: Path | None, output: str, **connection: Any) -> tuple[Result, str]:
    """Delete a package's backoff state on hosts, so checks at needs_attention are fixed again.

    \b
    Example:
      remediate state reset PC-0042 --package caa20002-device --username 'CORP\\admin'
      remediate state reset --inventory hosts.txt --package caa20002-device --concurrency 32
      remediate state reset --local --package caa20002-user
    """
    from remediate import fleet
    from remediate.render import render_reset_script

    host_list = _host_list(hosts, inventory, local_run)
    settings = _connection(host_list[0], local_run, **connection)
    package = _package(config, package_id)
    records = fleet.reset_state(host_list, settings, package.id, render_reset_script(package),
                                concurrency=concurrency)
    return fleet.reset_result(records), output


# -- the admin's day (issue 15): undo, state show, doctor, collect ---------------------------------------------

def _host_list(hosts: tuple[str, ...], inventory: Path | None, local_run: bool) -> list[str]:
    """HOST arguments, --inventory FILE or --local: exactly one of them."""
    from remediate import inventory as inventory_mod

    if sum(bool(x) for x in (hosts, inventory, local_run)) != 1:
        raise click.UsageError("give HOST arguments, --inventory FILE or --local (exactly one)")
    if local_run:
        return ["localhost"]
    return inventory_mod.read_inventory(inventory) if inventory else inventory_mod.validate_hosts(hosts)


def _hosts_options(func: Any) -> Any:
    """[HOST]... | --inventory FILE | --local, the connection and --concurrency/--timeout: shared below."""
    func = _connection_options(func)
    for option in reversed([
        click.argument("hosts", nargs=-1, metavar="[HOST]..."),
        click.option("--inventory", type=click.Path(path_type=Path, dir_okay=False),
                     help="Hosts file: one per line (# comments) or CSV with a 'host' column."),
        click.option("--local", "local_run", is_flag=True, help="Run on this machine (needs powershell.exe)."),
        click.option("--concurrency", type=click.IntRange(1, 512), default=defaults.default_concurrency(),
                     show_default=True, help="Hosts at a time."),
        click.option("--timeout", "timeout_s", type=click.FloatRange(1, 86400), default=defaults.HOST_TIMEOUT_S,
                     show_default=True, help="Seconds per host."),
    ]):
        func = option(func)
    return func


def _run_undo(hosts: tuple[str, ...], inventory: Path | None, local_run: bool, package_id: str, config: Path | None,
              concurrency: int, timeout_s: float, dry_run: bool, connection: dict[str, Any]) -> Result:
    from remediate import undo
    from remediate.render import render_maintenance_script
    from remediate.results import Phase

    host_list = _host_list(hosts, inventory, local_run)
    settings = _connection(host_list[0], local_run, **connection)
    package = _package(config, package_id)
    script = render_maintenance_script(package, Phase.UNDO, dry_run=dry_run).decode("ascii")
    script = undo.host_script(script, package_id=package.id, run_as=package.run_as.value,
                              transport=settings.transport, phase=Phase.UNDO, timeout_s=timeout_s)
    records = undo.run_on_hosts(host_list, settings, script, concurrency=concurrency, timeout_s=timeout_s)
    return undo.undo_result(records, dry_run=dry_run)


@cli.command("undo")
@_hosts_options
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id.")
@_config_option
@_output_option("text", "json", "jsonl")
def undo_cmd(hosts: tuple[str, ...], inventory: Path | None, local_run: bool, package_id: str, concurrency: int,
             timeout_s: float, config: Path | None, output: str, **connection: Any) -> tuple[Result, str]:
    """Put back what a package changed on hosts: registry values from its backups, quarantined items, newest
    first. Running it again changes nothing. The same script ships as detection_scripts/<package>/undo.ps1.

    \b
    Example:
      remediate undo PC-0042 --package caa20002-device --username 'CORP\\admin'
      remediate undo --inventory hosts.txt --package caa20002-user
    """
    return _run_undo(hosts, inventory, local_run, package_id, config, concurrency, timeout_s, False,
                     connection), output


@state_group.command("show")
@_hosts_options
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id.")
@_config_option
@_output_option("text", "json", "jsonl")
def state_show_cmd(hosts: tuple[str, ...], inventory: Path | None, local_run: bool, package_id: str,
                   concurrency: int, timeout_s: float, config: Path | None, output: str,
                   **connection: Any) -> tuple[Result, str]:
    """List per host what the package changed and could put back (registry backups, quarantine sets) and which
    checks are in backoff or needs_attention. Changes nothing (the undo script in dry-run).

    \b
    Example:
      remediate state show --inventory hosts.txt --package caa20002-device --output json
    """
    return _run_undo(hosts, inventory, local_run, package_id, config, concurrency, timeout_s, True,
                     connection), output


@cli.command("doctor")
@_hosts_options
@click.option("--cert", type=click.Path(path_type=Path, dir_okay=False), help="Code-signing certificate to check "
              "(.pfx/.p12, or PEM/DER).")
@click.option("--password-env", metavar="VAR", help="Environment variable holding the PFX password.")
@click.option("--skip-graph", is_flag=True, help="Do not sign in to Microsoft Graph.")
@_graph_options
@_output_option("text", "json", "jsonl")
def doctor_cmd(hosts: tuple[str, ...], inventory: Path | None, local_run: bool, concurrency: int, timeout_s: float,
               cert: Path | None, password_env: str | None, skip_graph: bool, output: str, tenant_id: str | None,
               client_id: str | None, certificate_path: str | None, device_code: bool, deadline_s: float,
               **connection: Any) -> tuple[Result, str]:
    """Check the prerequisites before touching a fleet: Python and libraries, osslsigncode and the signing
    certificate, the Graph token and the permissions of each Intune command, and (with hosts) WinRM/PSRP,
    the credentials, the remote PowerShell version and language mode. One line per finding with what to do;
    exit code of the worst finding (warnings 1).

    \b
    Example:
      remediate doctor --skip-graph --local
      remediate doctor PC-0042 --username 'CORP\\admin' --cert signer.pfx --password-env SIGN_PASS
    """
    import os

    from remediate import doctor

    findings = doctor.check_python() + doctor.check_libraries()
    findings += doctor.check_signing_tool(required=cert is not None)
    if cert is not None:
        findings += doctor.check_certificate(cert, os.environ.get(password_env) if password_env else None)
    if not skip_graph:
        settings = _auth(tenant_id, client_id, certificate_path, device_code)
        packages = _packages_if_readable()  # whether publish needs the scope-tag permission
        findings += doctor.safely("graph", "graph", lambda: doctor.check_graph_access(settings, deadline_s,
                                                                                       packages))
    if hosts or inventory or local_run:
        host_list = _host_list(hosts, inventory, local_run)
        findings += doctor.check_hosts(host_list, _connection(host_list[0], local_run, **connection),
                                       concurrency=concurrency, timeout_s=timeout_s)
    return doctor.doctor_result(findings), output


@cli.command("collect")
@_hosts_options
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id (its data folder and "
              "context: the user package adds the user's Teams logs).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("dist/collect"),
              show_default=True, help="Where the bundles go: <out>/<host>-<package>.zip.")
@_config_option
@_output_option("text", "json", "jsonl")
def collect_cmd(hosts: tuple[str, ...], inventory: Path | None, local_run: bool, package_id: str, out_dir: Path,
                concurrency: int, timeout_s: float, config: Path | None, output: str,
                **connection: Any) -> tuple[Result, str]:
    """Make a support bundle on hosts (dsregcmd, sign-in event logs, proxy and TLS settings, Teams logs, the
    tool's state, log and manifests; docs/collect.md lists every file) and bring it back here. Tokens,
    passwords, cookies and credentials are never collected. The same script ships as
    detection_scripts/<package>/collect.ps1 for Intune and RMM tools (the bundle then stays on the device).

    \b
    Example:
      remediate collect PC-0042 --package caa20002-device --username 'CORP\\admin' --out bundles
    """
    from remediate import collect, collect_spec, undo
    from remediate.render import render_maintenance_script
    from remediate.results import Phase

    host_list = _host_list(hosts, inventory, local_run)
    settings = _connection(host_list[0], local_run, **connection)
    package = _package(config, package_id)
    script = render_maintenance_script(package, Phase.COLLECT, options=collect_spec.task()).decode("ascii")
    script = undo.host_script(script, package_id=package.id, run_as=package.run_as.value,
                              transport=settings.transport, phase=Phase.COLLECT, timeout_s=timeout_s)
    records = collect.collect_hosts(host_list, settings, script, package.id, out_dir, concurrency=concurrency,
                                    timeout_s=timeout_s)
    return collect.collect_result(records), output


def main() -> None:
    """Console-script entry point."""
    # Windows consoles and pipes may not be UTF-8; our output is ASCII-safe, but never crash on encoding.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    cli(prog_name="remediate")
