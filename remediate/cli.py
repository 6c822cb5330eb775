"""The ``remediate`` command line: click commands only, each a thin wrapper over the library.

Library errors (``RemediateError``) become one line on stderr and a documented exit code here, and only
here. stdout carries results; logs go to stderr.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from remediate import __version__
from remediate.errors import EXIT_CODE_HELP, ExitCode, RemediateError


class _Lazy:
    """A module imported on first use. Cold start matters (RMM schedulers start the CLI per host and
    `remediate explain` should answer instantly), and most commands need only a few of these modules."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name)
        self.__dict__.update(module.__dict__)
        return getattr(module, attr)


codes = _Lazy("remediate.codes")
generate = _Lazy("remediate.generate")
lint = _Lazy("remediate.lint")
log = _Lazy("remediate.log")
runners = _Lazy("remediate.runners")
fleet_mod = _Lazy("remediate.fleet")
fleet_defaults = _Lazy("remediate.fleet_defaults")
inventory_mod = _Lazy("remediate.inventory")
results_file_mod = _Lazy("remediate.resultsfile")
_checks = _Lazy("remediate.checks")
_config = _Lazy("remediate.config")
_packages = _Lazy("remediate.packages")
intune_auth = _Lazy("remediate.intune.auth")
intune_build = _Lazy("remediate.intune.build")
intune_fleet = _Lazy("remediate.intune.fleet_results")
intune_html = _Lazy("remediate.intune.html_report")
intune_permissions = _Lazy("remediate.intune.permissions")
intune_publish = _Lazy("remediate.intune.publish")
intune_schedule = _Lazy("remediate.intune.schedule")
intune_signing = _Lazy("remediate.intune.signing")
intune_trigger = _Lazy("remediate.intune.trigger")
_fsutil = _Lazy("remediate.fsutil")
rmm_mod = _Lazy("remediate.rmm")


def all_checks() -> Any:
    return _checks.all_checks()


def load_settings(config: Path | None) -> Any:
    return _config.load_settings(config)


def load_packages(directory: Path, overrides: Any = None) -> Any:
    return _packages.load_packages(directory, overrides)


def write_atomic(*args: Any, **kwargs: Any) -> Any:
    return _fsutil.write_atomic(*args, **kwargs)


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
@click.pass_context
def cli(ctx: click.Context, log_level: str, log_format: str) -> None:
    """Find and fix Microsoft 365 sign-in failure CAA20002 on Windows fleets.

    \b
    Example:
      remediate generate --check && remediate lint
    """
    if ctx.invoked_subcommand not in _SILENT_COMMANDS:
        log.configure(log_level, log_format)


# The transports' authentication names, spelt out so `remediate --help` does not import the runners
# (tests/test_cli.py checks this equals remediate.runners.AUTHS).
_AUTHS = ("negotiate", "ntlm", "kerberos", "credssp", "certificate", "basic")

# RMM output profiles, spelt out for the same reason (tests/test_rmm_cli.py checks this equals remediate.rmm).
_RMM_PROFILES = ("intune", "json", "nagios", "tactical", "datto", "ninjaone", "nsight")

# Commands that never log: they skip importing and configuring structlog, for a fast cold start.
_SILENT_COMMANDS = {"explain"}


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


def _signer(sign: bool, cert: Path | None, key: Path | None, password_env: str | None):
    if not sign:
        if cert or key or password_env:
            raise click.UsageError("--cert/--key/--password-env need --sign")
        return None
    if cert is None:
        raise click.UsageError("--sign needs --cert")
    return intune_signing.Signer(intune_signing.SigningConfig(cert=cert, key=key, password_env=password_env))


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
        click.option("--deadline", "deadline_s", type=click.FloatRange(1, 86400), default=900.0, show_default=True,
                     metavar="SECONDS", help="Overall time limit for the Graph calls, waits for throttling "
                     "(Retry-After, honoured in full) included."),
    ]):
        func = option(func)
    return func


def _auth(tenant_id: str | None, client_id: str | None, certificate_path: str | None,
          device_code: bool, deadline_s: float = 900.0) -> intune_auth.AuthSettings:
    return intune_auth.AuthSettings.resolve(tenant_id=tenant_id, client_id=client_id,
                                            certificate_path=certificate_path, device_code=device_code)


def _client(command: str, auth: dict[str, Any]):
    """A Graph client for ``command``: its permissions go into 401/403 messages; --deadline bounds it."""
    return intune_build.graph_client(_auth(**auth), command=command, deadline_s=auth["deadline_s"])


def _package_meta(config: Path | None, package_id: str):
    _, packages = _load(config)
    return intune_build.select(packages, [package_id])[0]


@cli.command("package")
@click.option("--package", "package_ids", multiple=True, metavar="ID", help="Package id (repeatable; "
              "default: all).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("dist"),
              show_default=True, help="Output folder; bundles go to <out>/intune/<package>/.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Site configuration TOML.")
@_sign_options
@click.option("--rmm", "rmm_profile", type=click.Choice(_RMM_PROFILES), help="Instead of Intune bundles, write "
              "one self-contained RMM script per package to <out>/rmm/<profile>/<package>.ps1 (docs/rmm.md).")
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def package_cmd(package_ids: tuple[str, ...], out_dir: Path, config: Path | None, sign: bool,
                cert: Path | None, key: Path | None, password_env: str | None, rmm_profile: str | None,
                output: str) -> None:
    """Build Intune bundles: scripts, Graph payload JSON, README with portal settings, and a zip.

    \b
    Example:
      remediate package --out dist
      remediate package --package caa20002-user --sign --cert signer.pfx --password-env SIGN_PASS
      remediate package --rmm datto --package caa20002-device
    """
    if rmm_profile:
        if sign:
            raise click.UsageError("--sign is for Intune bundles; RMM scripts are written unsigned")
        _, packages = _load(config)
        written = rmm_mod.build_rmm_scripts(intune_build.select(packages, package_ids), rmm_profile, out_dir)
        if output == "json":
            click.echo(json.dumps([{"file": str(path), "state": state} for path, state in written], indent=2))
            return
        for path, state in written:
            click.echo(f"{state:<9} {path}")
        return
    signer = _signer(sign, cert, key, password_env)
    _, packages = _load(config)
    reports = intune_build.build_bundles(intune_build.select(packages, package_ids), out_dir, signer)
    if output == "json":
        click.echo(json.dumps([{"package": r.package_id, "folder": str(r.folder), "zip": str(r.zip_path),
                                "signed": r.signed, "files": dict(r.status)} for r in reports], indent=2))
        return
    for report in reports:
        for name, state in report.status.items():
            click.echo(f"{state:<9} {out_dir / name}")


def _show_request(request: Any) -> str:
    """A planned request for humans: script contents shortened (the JSON output has them in full)."""
    body = request.body
    if isinstance(body, dict):
        body = {k: (f"<base64, {len(v)} chars>" if k.endswith("ScriptContent") else v) for k, v in body.items()}
    return f"{request.method} {request.path}" + (f"\n  {json.dumps(body, sort_keys=True)}" if body else "")


@cli.command("publish", epilog=intune_permissions.help_text("publish"))
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id.")
@click.option("--group", "groups", multiple=True, metavar="ID", help="Entra group to include (repeatable).")
@click.option("--exclude-group", "exclude_groups", multiple=True, metavar="ID", help="Group to exclude.")
@click.option("--all-devices", is_flag=True, help="Assign to all devices.")
@click.option("--schedule", metavar="SPEC", help=f"{intune_schedule.SPEC_HELP} (default: the package's).")
@click.option("--dry-run", is_flag=True, help="Send only reads; print the writes it would send. Without "
              "credentials, plans as if nothing exists in Intune.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Site configuration TOML.")
@_sign_options
@_graph_options
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def publish_cmd(package_id: str, groups: tuple[str, ...], exclude_groups: tuple[str, ...], all_devices: bool,
                schedule: str | None, dry_run: bool, config: Path | None, sign: bool, cert: Path | None,
                key: Path | None, password_env: str | None, output: str, **auth: Any) -> None:
    """Create or update a package's remediation in Intune by display name, then assign it.

    Running it twice changes nothing the second time. Assignments are merged with the current ones
    (the Graph assign call replaces the whole set) and every change is listed.

    \b
    Example:
      remediate publish --package caa20002-device --group 0f1e... --schedule daily:09:00 --dry-run
    """
    request = intune_publish.AssignmentRequest(
        include=groups, exclude=exclude_groups, all_devices=all_devices,
        schedule=intune_schedule.parse_schedule(schedule) if schedule else None)
    bundle = intune_build.bundle_package(_package_meta(config, package_id),
                                         _signer(sign, cert, key, password_env))
    offline = dry_run and _auth(**auth).mode == "none"
    client = None if offline else _client("publish --dry-run" if dry_run else "publish", auth)
    result = intune_publish.publish(client, bundle, request, dry_run=dry_run)
    if output == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    fields = f" ({', '.join(result.changed_fields)})" if result.action == "update" else ""
    prefix = "dry run: would " if dry_run else ""
    click.echo(f"{prefix}{result.action}{fields}: {result.display_name} [{result.script_id}]")
    for change in result.assignment_changes or ["assignments: no change"]:
        click.echo(f"  {change}")
    if dry_run:
        for planned in result.requests:
            click.echo(_show_request(planned))


@cli.command("results", epilog=intune_permissions.help_text("results"))
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id.")
@click.option("--output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--html", "html_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write one self-contained HTML page (charts and device table).")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Site configuration TOML.")
@_graph_options
def results_cmd(package_id: str, output: str, html_file: Path | None, config: Path | None, **auth: Any) -> None:
    """Read every device's result from Intune and aggregate: verdicts, causes, error codes, devices.

    \b
    Example:
      remediate results --package caa20002-device --html fleet.html
    """
    name = _package_meta(config, package_id).display_name
    client = _client("results", auth)
    report = intune_fleet.aggregate(name, intune_fleet.fetch_run_states(client, name))
    render = {"table": intune_fleet.to_table, "json": intune_fleet.to_json, "csv": intune_fleet.to_csv}[output]
    click.echo(render(report), nl=False)
    if html_file is not None:
        write_atomic(html_file, intune_html.render_html(report).encode("utf-8"))
        log.get_logger().info("results.html", file=str(html_file))


@cli.command("trigger", epilog=intune_permissions.help_text("trigger"))
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id.")
@click.option("--device", required=True, metavar="NAME|ID", help="Managed device name or Intune device id.")
@click.option("--dry-run", is_flag=True, help="Resolve everything; do not start the run.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Site configuration TOML.")
@_graph_options
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def trigger_cmd(package_id: str, device: str, dry_run: bool, config: Path | None, output: str,
                **auth: Any) -> None:
    """Run a package's remediation on one device now (on-demand remediation).

    It is sent once: after a server error or a timeout its outcome is unknown, and the command says so
    (exit 7) instead of sending it again; check the device in the Intune portal.

    \b
    Example:
      remediate trigger --package caa20002-user --device PC-0042
    """
    name = _package_meta(config, package_id).display_name
    client = _client("trigger --dry-run" if dry_run else "trigger", auth)
    result = intune_trigger.trigger(client, name, device, dry_run=dry_run)
    if output == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    verb = "would start" if dry_run else "started"
    click.echo(f"{verb} {name} on {result.device_name or device} [{result.device_id}]")


def _run_password(username: str | None) -> str | None:
    """From REMEDIATE_PASSWORD or a hidden prompt; never from the command line (shell history, ps)."""
    import os

    if not username:
        return None
    return os.environ.get("REMEDIATE_PASSWORD") or click.prompt(f"Password for {username}", hide_input=True,
                                                                err=True)


def _run_progress(enabled: bool):
    if not enabled:
        return None

    def progress(record: dict[str, Any], done: int, total: int) -> None:
        end = "\n" if done == total else ""
        click.echo(f"\rrun: {done}/{total} hosts, last {record['host']}: {record['status']}\033[K{end}", err=True,
                   nl=False)

    return progress


@cli.command("run")
@click.argument("hosts", nargs=-1, metavar="[HOST]...")
@click.option("--inventory", type=click.Path(path_type=Path, dir_okay=False),
              help="Hosts file: one per line (# comments) or CSV with a 'host' column.")
@click.option("--local", "local_run", is_flag=True, help="Run on this machine (needs powershell.exe).")
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id (see 'remediate list').")
@click.option("--detect-only", "mode", flag_value="detect", default=True, help="Only detect (default).")
@click.option("--remediate", "mode", flag_value="remediate", help="Remediate non-compliant hosts, then verify.")
@click.option("--dry-run", "mode", flag_value="dry_run", help="Run the remediation in dry-run mode (no change).")
@click.option("--transport", type=click.Choice(["psrp", "winrm"]), default="psrp", show_default=True)
@click.option("--auth", type=click.Choice(list(_AUTHS)), default="negotiate", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), help="Default 5986 with --ssl, 5985 without.")
@click.option("--ssl/--no-ssl", "use_ssl", default=True, show_default=True, help="HTTPS (5986) or HTTP (5985).")
@click.option("--ca-bundle", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="PEM bundle that signs the hosts' WinRM certificates.")
@click.option("--insecure", is_flag=True, help="Skip certificate validation (explicit; warned on stderr).")
@click.option("--username", envvar="REMEDIATE_USERNAME", help="Account; password from REMEDIATE_PASSWORD or a "
              "prompt.")
@click.option("--concurrency", type=click.IntRange(1, 512),
              help="Hosts in flight at once. Default: 25 per core (measured: docs/benchmarks.md).")
@click.option("--processes", type=click.IntRange(1, 64), help="Client processes the hosts are split over. "
              "Default: one per core for fleets of 200 hosts per core or more, else one.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(1, 86400), default=300.0, show_default=True,
              help="Seconds per host for the whole detect/remediate/verify cycle; the pipeline is stopped at "
              "the deadline, and a host still silent 10 s later is recorded as timeout and abandoned.")
@click.option("--output", type=click.Choice(["table", "json", "jsonl"]), default="table", show_default=True)
@click.option("--format", "rmm_format", type=click.Choice(_RMM_PROFILES), help="Answer like an RMM script in "
              "this profile (docs/rmm.md): its lines and exit code, instead of --output.")
@click.option("--results", "results_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Append each host's record (JSON Lines) as soon as it finishes.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Site configuration TOML.")
def run_cmd(hosts: tuple[str, ...], inventory: Path | None, local_run: bool, package_id: str, mode: str,
            transport: str, auth: str, port: int | None, use_ssl: bool, ca_bundle: Path | None, insecure: bool,
            username: str | None, concurrency: int | None, processes: int | None, timeout_s: float, output: str,
            rmm_format: str | None, results_file: Path | None, config: Path | None) -> None:
    """Run a package on hosts over PSRP/WinRM (or locally): detect, and remediate + verify when asked.

    \b
    Examples:
      remediate run PC-0042 --package caa20002-device --username CORP\\admin
      remediate run --inventory hosts.txt --package caa20002-user --remediate --results out.jsonl
      remediate run PC-0042 --package caa20002-device --remediate --format nagios
    """
    if sum(bool(x) for x in (hosts, inventory, local_run)) != 1:
        raise click.UsageError("give HOST arguments, --inventory FILE or --local (exactly one)")
    if insecure and ca_bundle:
        raise click.UsageError("--insecure and --ca-bundle contradict each other")
    if insecure:
        click.echo("remediate: warning: --insecure: server certificates are not validated; anyone on the "
                   "network path can impersonate the hosts", err=True)
    host_list = (["localhost"] if local_run else
                 inventory_mod.read_inventory(inventory) if inventory else inventory_mod.validate_hosts(hosts))
    package = _package_meta(config, package_id)
    concurrency = concurrency or fleet_defaults.default_concurrency()
    processes = processes or fleet_defaults.default_processes(len(host_list), concurrency)
    settings = runners.ConnectionSettings(
        host=host_list[0], transport="local" if local_run else transport, port=port, ssl=use_ssl, auth=auth,
        username=username, password=_run_password(None if local_run else username),
        cert_validation=False if insecure else (str(ca_bundle) if ca_bundle else True))
    options = fleet_mod.FleetOptions(
        package_id, remediate=mode == "remediate", dry_run=mode == "dry_run", concurrency=concurrency,
        processes=1 if local_run else processes, host_timeout_s=timeout_s, user_context=getattr(package.run_as, "value", "") == "user",
        results_path=results_file)
    result = fleet_mod.run_fleet(host_list, settings, options, fleet_mod.package_scripts(package),
                                 progress=_run_progress(sys.stderr.isatty() and output == "table"))
    if rmm_format and not result.interrupted:
        phase = "remediate" if mode == "remediate" else "detect"
        answer = rmm_mod.format_records(rmm_format, result.records, package_id, phase)
        for text in answer.lines:
            click.echo(text)
        sys.exit(answer.exit_code)
    if output == "json":
        click.echo(results_file_mod.strict_json({"schema_version": 1, "summary": fleet_mod.summarize(
            result.records), "records": result.records}, indent=2))
    elif output == "jsonl":
        for record in result.records:
            click.echo(results_file_mod.strict_json(record))
    else:
        for line in fleet_mod.format_table(result.records):
            click.echo(line)
    if result.interrupted:
        click.echo(f"remediate: interrupted; {len(result.records)} hosts recorded, "
                   f"{len(result.not_started)} not started", err=True)
    sys.exit(int(result.exit_code))


@cli.group("state")
def state_group() -> None:
    """The backoff state that scheduled runs keep on each machine.

    \b
    Example:
      remediate state reset PC-0042 --package caa20002-device
    """


@state_group.command("reset")
@click.argument("hosts", nargs=-1, metavar="[HOST]...")
@click.option("--package", "package_id", required=True, metavar="ID", help="Package id.")
@click.option("--local", "local_run", is_flag=True, help="Reset on this machine (needs powershell.exe).")
@click.option("--transport", type=click.Choice(["psrp", "winrm"]), default="psrp", show_default=True)
@click.option("--auth", type=click.Choice(list(_AUTHS)), default="negotiate", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), help="Default 5986 with --ssl, 5985 without.")
@click.option("--ssl/--no-ssl", "use_ssl", default=True, show_default=True)
@click.option("--ca-bundle", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--insecure", is_flag=True, help="Skip certificate validation (explicit).")
@click.option("--username", envvar="REMEDIATE_USERNAME", help="Password from REMEDIATE_PASSWORD or a prompt.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Site configuration TOML.")
def state_reset_cmd(hosts: tuple[str, ...], package_id: str, local_run: bool, transport: str, auth: str,
                    port: int | None, use_ssl: bool, ca_bundle: Path | None, insecure: bool, username: str | None,
                    config: Path | None) -> None:
    """Delete a package's backoff state on hosts, so checks at needs_attention are fixed again.

    \b
    Example:
      remediate state reset PC-0042 --package caa20002-device --username CORP\\admin
      remediate state reset --local --package caa20002-user
    """
    if bool(hosts) == local_run:
        raise click.UsageError("give HOST arguments or --local (exactly one)")
    if insecure and ca_bundle:
        raise click.UsageError("--insecure and --ca-bundle contradict each other")
    host_list = ["localhost"] if local_run else inventory_mod.validate_hosts(hosts)
    settings = runners.ConnectionSettings(
        host=host_list[0], transport="local" if local_run else transport, port=port, ssl=use_ssl, auth=auth,
        username=username, password=_run_password(None if local_run else username),
        cert_validation=False if insecure else (str(ca_bundle) if ca_bundle else True))
    records = rmm_mod.reset_state(host_list, settings, _package_meta(config, package_id))
    for record in records:
        if record["error"]:
            click.echo(f"{record['host']}: error {record['error']['code']}: {record['error']['message']}")
            continue
        deleted = ", ".join(record["deleted"]) or "no state file"
        click.echo(f"{record['host']}: deleted {deleted}" + "".join(f"; {e}" for e in record["errors"]))
    failed = any(r["error"] or r["errors"] for r in records)
    sys.exit(int(ExitCode.HOST_ERROR if failed else ExitCode.OK))


def main() -> None:
    """Console-script entry point."""
    # Windows consoles and pipes may not be UTF-8; our output is ASCII-safe, but never crash on encoding.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    cli(prog_name="remediate")
