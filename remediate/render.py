"""Rendering a package into its detection script, remediation script and README.

Deterministic by construction: strict undefined variables, the runtime inlined in sorted file order,
checks in ladder order, no timestamps, one encoding and line-ending policy (pure ASCII, CRLF, no BOM).
"""

from __future__ import annotations

import re

import ast
import base64
import gzip
import hashlib
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from remediate import __version__, codes, collect_spec, pwsh, rmm
from remediate.checks.base import Tier
from remediate.errors import RenderError
from remediate.packages import CheckConfig, Package
from remediate.prune import prune, strip_comments
from remediate.psliteral import ps_bool, ps_float, ps_int, ps_str, ps_value
from remediate.results import MAX_RESULT_CHARS, RUNTIME_REASONS, SCHEMA_VERSION, Phase, State, Verdict, script_exit_code

PS_DIR = Path(__file__).parent / "powershell"
RUNTIME_DIR = PS_DIR / "runtime"
RMM_RUNTIME_DIR = PS_DIR / "rmm"  # inlined only into RMM scripts (remediate package --rmm)
# Format-RmProfileOutput, one variant per kind of profile: intune/json pass the JSON line through; the RMM
# profiles map it (remediate/rmm.py), with helper functions beside it in the same folder. Exactly one folder is
# inlined, so Write-RmResult always finds one definition.
PROFILE_DIRS = {True: PS_DIR / "profiles" / "passthrough", False: PS_DIR / "profiles" / "mapped"}

# Reasons for a 'skipped' finding that leave the problem in place (it counts as failing).
OPEN_REASONS = ("advisory_only", "backoff", "dry_run", "needs_attention", "not_enabled")


@dataclass(frozen=True)
class RenderedPackage:
    package: Package
    detect: bytes
    remediate: bytes
    readme: bytes
    input_hash: str
    undo: bytes = b""  # the package's undo script (remediate/undo.py runs it)
    collect: bytes = b""  # the package's support-bundle script (remediate/collect.py runs it)

    def files(self) -> dict[str, bytes]:
        """Relative file name -> bytes, as written under detection_scripts/<package>/."""
        files = {"detect.ps1": self.detect, "remediate.ps1": self.remediate, "README.md": self.readme}
        files.update({name: data for name, data in (("undo.ps1", self.undo), ("collect.ps1", self.collect)) if data})
        return files


def _indent(text: str, spaces: int = 4) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([str(PS_DIR), str(Path(__file__).parent / "checks")])
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(ps_str=ps_str, ps_int=ps_int, ps_bool=ps_bool, ps_float=ps_float, ps_value=ps_value,
                       indent_ps=_indent)
    return env


def _render_template(name: str, **context: Any) -> str:
    try:
        return _environment().get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {name}: {exc}") from None


def runtime_source(folder: Path | None = None) -> str:
    """Every runtime helper file of ``folder`` (default: the runtime), in sorted order, each once. Each file holds
    one function named like the file (tests/test_runtime_layout.py), so the order is the functions' names."""
    files = sorted((folder or RUNTIME_DIR).glob("*.ps1"))
    return "\n".join(f.read_text(encoding="ascii").rstrip("\n") + "\n" for f in files)


def _fragment(cfg: CheckConfig, kind: str) -> str:
    check = cfg.check
    name = f"{check.id}/{kind}.ps1.j2"
    return _render_template(name, options=cfg.options, check=check)


# The uniform signature of the check functions (Invoke-RmDetect / Invoke-RmRepairStep call every check alike),
# and the check fields a fragment may read as a variable of the same name.
DETECT_PARAMS = ("Check", "Run")
REPAIR_PARAMS = ("Check", "Run", "Finding")
CHECK_FIELDS = ("Options", "Desired")


def _signature(kind: str, fragment: str, params: tuple[str, ...]) -> dict[str, list[str]]:
    """What the function around a fragment declares: ``$Options = $Check.Options`` (and Desired) only when the
    fragment reads it, and a PSReviewUnusedParameter suppression for each parameter of the uniform signature
    that the function body does not use (a dead assignment or a silently unused parameter is a lint finding)."""
    used = pwsh.variable_names(fragment.encode("utf-8"))
    reads = [name for name in CHECK_FIELDS if name.lower() in used]
    unused = [name for name in params if name.lower() not in used and not (name == "Check" and reads)]
    return {f"{kind}_reads": reads, f"{kind}_unused": unused}


def _check_descriptor(cfg: CheckConfig, phase: Phase) -> dict[str, Any]:
    check = cfg.check
    has_repair = phase is Phase.REMEDIATE and check.tier is not Tier.ADVISORY
    return {
        "Id": check.id,
        "Tier": check.tier.value,
        "Fix": cfg.fix,
        "EvidenceGated": check.evidence_gated,
        "Detect": f"Test-Rm{check.function_stem}",
        "Repair": f"Repair-Rm{check.function_stem}" if has_repair else "",
        "Options": dict(cfg.options),
        "Desired": check.desired_state(cfg.options),
    }


def _schema_data() -> dict[str, Any]:
    exit_codes = {f"{p.value}:{v.value}": script_exit_code(p, v) for p in Phase for v in Verdict}
    return {
        "Version": SCHEMA_VERSION,
        "MaxChars": MAX_RESULT_CHARS,
        "States": [s.value for s in State],
        "OpenReasons": list(OPEN_REASONS),
        "ExitCodes": exit_codes,
    }


def _config_data(package: Package, phase: Phase, dry_run: bool) -> dict[str, Any]:
    runtime = package.runtime
    return {
        "Tool": __version__,
        "Package": package.id,
        "Phase": phase.value,
        "RunAs": package.run_as.value,
        "DryRun": dry_run,
        "MutexName": f"Global\\remediate-{package.id}",
        "MaxAttempts": runtime["max_attempts"],
        "CooldownMinutes": runtime["cooldown_minutes"],
        "CooldownMaxHours": runtime["cooldown_max_hours"],
        "FailureExpiryDays": runtime["failure_expiry_days"],
        "QuarantineRetentionDays": runtime["quarantine_retention_days"],
        "LogMaxKb": runtime["log_max_kb"],
    }


def _code_data() -> tuple[dict[str, str], list[dict[str, Any]], list[str]]:
    """Layers of exact codes, family rules, and the exact codes that implicate user state (sorted)."""
    rows = codes.table_for_scripts()
    table = {row["code"]: row["layer"] for row in rows if row["value"] is not None}
    families = [{"Mask": r["mask"], "Match": r["match"], "Layer": r["layer"], "UserState": r["user_state"]}
                for r in codes.family_rules_for_scripts() if r["mask"] is not None]
    user_state = sorted(row["code"] for row in rows if row["user_state"])
    return table, families, user_state


PACKAGE_DIR = Path(__file__).resolve().parent
# Every file under these folders is an input (templates, runtime, launcher, check fragments and metadata).
INPUT_TREES = (PS_DIR, PACKAGE_DIR / "checks")


def _imported_modules(module: str) -> set[str]:
    """``remediate`` modules that ``module`` imports, anywhere in its body (deferred imports too)."""
    tree = ast.parse(_module_path(module).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found.update(n for n in names if n.split(".")[0] == "remediate" and _module_path(n).is_file())
    return found


def _module_path(module: str) -> Path:
    parts = module.split(".")[1:]
    folder = PACKAGE_DIR.joinpath(*parts)
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


def input_files() -> list[Path]:
    """Every file rendering reads besides the package file, by construction: the template and check trees, and
    the Python modules this module imports, transitively."""
    modules, todo = set(), [__name__]
    while todo:
        module = todo.pop()
        if module not in modules:
            modules.add(module)
            todo += sorted(_imported_modules(module) - modules)
    files = {_module_path(m) for m in modules}
    for root in INPUT_TREES:
        files.update(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(files)


def input_fingerprint() -> bytes:
    """The bytes of every rendering input besides the package file (``input_files``), and the version."""
    parts = [__version__.encode()]
    parts += [p.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + p.read_bytes() for p in input_files()]
    return hashlib.sha256(b"\0".join(parts)).digest()


def to_script_bytes(text: str, *, what: str) -> bytes:
    """The one encoding policy: pure ASCII, CRLF line endings, no BOM, one trailing newline."""
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise RenderError(f"{what}: non-ASCII character {text[exc.start]!r} at offset {exc.start}") from None
    lines = data.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
    return b"\r\n".join(line.rstrip() for line in lines) + b"\r\n"


def render_script(package: Package, phase: Phase, *, dry_run: bool = False, input_hash: str = "",
                  profile: str = rmm.DEFAULT_PROFILE, rmm_inputs: bool = False,
                  user_launch: dict[str, Any] | None = None, cycle: bool = False) -> bytes:
    """One script. ``profile`` shapes the output (remediate/rmm.py); ``rmm_inputs`` makes it an RMM script that
    takes its inputs at run time (phase from REMEDIATE_FIX); ``user_launch`` embeds the interactive-user path;
    ``cycle`` makes the fleet's one-pipeline script: detect, remediate, verify in one run (Invoke-RmCycle)."""
    if cycle and (phase is not Phase.REMEDIATE or rmm_inputs or user_launch is not None
                  or not rmm.get_profile(profile).phase_exit):
        raise RenderError("a cycle script is a remediation-phase script with a pass-through output profile")
    checks = []
    # A user package's RMM script only relays: its checks travel in the embedded payload (user_launch).
    for cfg in package.checks if user_launch is None else ():
        detect = _fragment(cfg, "detect")
        repair = _fragment(cfg, "remediate") if phase is Phase.REMEDIATE and cfg.check.remediation_template else ""
        checks.append({"cfg": cfg, "check": cfg.check, "detect": detect, "repair": repair,
                       "descriptor": _check_descriptor(cfg, phase),
                       **_signature("detect", detect, DETECT_PARAMS), **_signature("repair", repair, REPAIR_PARAMS)})
    code_table, code_families, user_state_codes = _code_data()
    runtime = runtime_source() + "\n" + runtime_source(PROFILE_DIRS[rmm.get_profile(profile).phase_exit])
    rmm_runtime = runtime_source(RMM_RUNTIME_DIR) if rmm_inputs else ""
    text = _render_template(
        "script.ps1.j2",
        package=package,
        phase=phase.value,
        version=__version__,
        input_hash=input_hash,
        config=_config_data(package, phase, dry_run),
        schema=_schema_data(),
        code_table=code_table,
        code_families=code_families,
        user_state_codes=user_state_codes,
        runtime=_RUNTIME_MARK,
        checks=checks,
        output=rmm.output_config(profile, package.id, phase),
        rmm=rmm.inputs_config(profile) if rmm_inputs else None,
        rmm_runtime=_RMM_RUNTIME_MARK,
        user_launch=user_launch,
        cycle=cycle,
    )
    text = _inline_runtime(text, runtime, rmm_runtime)
    return to_script_bytes(text, what=f"{package.id} {'cycle' if cycle else phase.value} script")


_RUNTIME_MARK = "# @@remediate-runtime@@"
_RMM_RUNTIME_MARK = "# @@remediate-rmm-runtime@@"


_DATA_BLOCK = re.compile(r"^# @@remediate-data (\w+)@@\n(.*?)^# @@remediate-data-end@@\n", re.M | re.S)


def _inline_runtime(text: str, runtime: str, rmm_runtime: str) -> str:
    """Put the runtime where the template marks it, keeping only the functions the script can reach
    (remediate/prune.py): the rest of the script, and the other runtime part, are the roots. A data table
    (``# @@remediate-data Name@@`` block) stays only when something kept reads its variable."""
    rest = text.replace(_RUNTIME_MARK, "").replace(_RMM_RUNTIME_MARK, "")
    kept = _brief_help(prune(runtime, rest + "\n" + rmm_runtime))
    kept_rmm = _brief_help(prune(rmm_runtime, rest + "\n" + kept)) if rmm_runtime else ""
    text = text.replace(_RUNTIME_MARK, kept.rstrip("\n")).replace(_RMM_RUNTIME_MARK, kept_rmm.rstrip("\n"))
    readers = _DATA_BLOCK.sub("", text)

    def keep_if_read(block: re.Match[str]) -> str:
        return block.group(2) if re.search(rf"\${block.group(1)}\b", readers, re.I) else ""

    return _DATA_BLOCK.sub(keep_if_read, text)


_HELP_DETAIL = re.compile(r"^[ \t]*\.(?:DESCRIPTION|PARAMETER|NOTES|EXAMPLE)\b.*?(?=^[ \t]*(?:\.[A-Z]+\b|#>))",
                          re.M | re.S)


def _brief_help(runtime: str) -> str:
    """The inlined runtime keeps each function's .SYNOPSIS and drops the longer help sections: the full help
    is in remediate/powershell/runtime/, and every byte counts against Intune's 200,000-byte limit."""
    return _HELP_DETAIL.sub("", runtime)


# The launcher's payload is swapped at run time (the inputs are only known then): the renderer fills every
# other launcher value through remediate.launcher and leaves this script's base64 as the marker.
LAUNCH_TOKEN_SCRIPT = "# remediate rmm user payload #"


def _pack(text: str) -> list[str]:
    """gzip (fixed mtime: deterministic) + base64, in 100-character chunks for readable script lines."""
    packed = base64.b64encode(gzip.compress(text.encode("ascii"), compresslevel=9, mtime=0)).decode("ascii")
    return textwrap.wrap(packed, 1000)


def user_launch_seconds(package: Package) -> int:
    """Deadline of the user package under the launcher: three detections' budgets, at least 90 s."""
    return max(90, 3 * package.budget_seconds)


def _lines(text: str) -> list[str]:
    """Plain lines, for a script that is compressed as a whole (the loader): text compresses, base64 barely."""
    return text.replace("\r\n", "\n").rstrip("\n").split("\n")


def _user_launch(package: Package, packed: bool = True, *, compact: bool = False) -> dict[str, Any]:
    from remediate.launcher import wrap_for_interactive_user

    inner = render_script(package, Phase.REMEDIATE, profile="json", rmm_inputs=True).decode("ascii")
    if compact:  # the script around it is delivered compressed and without comments: so is the payload
        inner = strip_comments(inner)
    seconds = user_launch_seconds(package)
    launcher = wrap_for_interactive_user(LAUNCH_TOKEN_SCRIPT, package=package.id, phase=Phase.REMEDIATE,
                                         timeout_s=seconds)
    token = base64.b64encode(LAUNCH_TOKEN_SCRIPT.encode("ascii")).decode("ascii")
    if launcher.count(token) != 1:
        raise RenderError("the launcher payload marker is not unique")
    # The launcher waits seconds - 15 for the task; it needs a little longer to register and clean up.
    fold = _pack if packed else _lines
    return {"Token": token, "TimeoutSeconds": seconds + 30, "Packed": packed, "Launcher": fold(launcher),
            "Payload": fold(inner)}


def rmm_script_source(package: Package, profile: str) -> tuple[str, str]:
    """The RMM script of a package before any loader (``render_rmm_script``), and its input hash."""
    chosen = rmm.get_profile(profile)
    input_hash = package.input_hash(input_fingerprint())
    launch = _user_launch(package, compact=chosen.packed) if package.run_as.value == "user" else None
    data = render_script(package, Phase.REMEDIATE, input_hash=input_hash, profile=profile, rmm_inputs=True,
                         user_launch=launch)
    return data.decode("ascii"), input_hash


def render_rmm_script(package: Package, profile: str) -> bytes:
    """The self-contained RMM script of a package: detect, or re-detect/fix/verify when REMEDIATE_FIX is on,
    output in ``profile``. A user package started as SYSTEM runs itself through the interactive-user launcher.
    A profile whose vendor limits the script size (``Profile.packed``) gets the loader around the script."""
    text, input_hash = rmm_script_source(package, profile)
    if not rmm.get_profile(profile).packed:
        return text.encode("ascii")
    return wrap_in_loader(text, package, profile, input_hash=input_hash)


def wrap_in_loader(script: str, package: Package, profile: str, *, input_hash: str = "") -> bytes:
    """The short loader that runs ``script`` (an RMM script's text, comments removed) from its gzip + base64, in
    the same process: N-able N-sight accepts at most 65,535 characters per script (remediate/limits.py). The
    lines, exit code and quiet stderr are the script's own; only a script that cannot be loaded answers with
    the profile's error."""
    chosen = rmm.get_profile(profile)
    script = strip_comments(script)
    packed = base64.b64encode(gzip.compress(script.encode("ascii"), compresslevel=9, mtime=0)).decode("ascii")
    error = rmm.format_result(chosen, {"package": package.id, "phase": "detect", "verdict": "error",
                                       "reason": "unhandled_error", "findings": []})
    clm = rmm.format_result(chosen, {"package": package.id, "phase": "detect", "verdict": "error",
                                     "reason": "constrained_language",
                                     "advice": "sign_scripts_for_wdac_or_applocker", "findings": []})
    inputs = ", ".join(name for name, _ in rmm.INPUTS.values())
    text = _render_template(
        "loader.ps1.j2", package=package, version=__version__, input_hash=input_hash, profile=chosen.name,
        limit_text=chosen.limit.what.removesuffix("'s script limit"), max_chars=chosen.limit.max_chars,
        full_chars=len(script), full_sha256=hashlib.sha256(script.encode("ascii")).hexdigest(),
        inputs=inputs, chunks=textwrap.wrap(packed, 1000), fallback=list(error.lines),
        fallback_clm=list(clm.lines), fallback_exit=error.exit_code, host_exit=chosen.host_exit)
    return to_script_bytes(text, what=f"{package.id} {profile} loader")


def render_readme(package: Package, *, input_hash: str) -> bytes:
    text = _render_template("README.md.j2", package=package, version=__version__, input_hash=input_hash,
                            reasons=RUNTIME_REASONS, Tier=Tier)
    return to_script_bytes(text, what=f"{package.id} README")


def render_package(package: Package, *, dry_run: bool = False) -> RenderedPackage:
    input_hash = package.input_hash(input_fingerprint())
    return RenderedPackage(
        package=package,
        detect=render_script(package, Phase.DETECT, dry_run=dry_run, input_hash=input_hash),
        remediate=render_script(package, Phase.REMEDIATE, dry_run=dry_run, input_hash=input_hash),
        readme=render_readme(package, input_hash=input_hash),
        input_hash=input_hash,
        undo=render_maintenance_script(package, Phase.UNDO, input_hash=input_hash),
        collect=render_maintenance_script(package, Phase.COLLECT, input_hash=input_hash, options=collect_spec.task()),
    )


# The maintenance scripts of a package, by phase: the template and the runtime function its main calls.
MAINTENANCE_TEMPLATES = {Phase.UNDO: "undo.ps1.j2", Phase.COLLECT: "collect.ps1.j2"}


def render_maintenance_script(package: Package, phase: Phase, *, input_hash: str = "", dry_run: bool = False,
                              profile: str = rmm.DEFAULT_PROFILE, options: dict[str, Any] | None = None) -> bytes:
    """The undo or collect script of a package: the same runtime, settings and single exit as its detection
    and remediation, another main. ``options`` are the script's own settings (``$RmTask``)."""
    text = _render_template(
        MAINTENANCE_TEMPLATES[phase],
        package=package,
        version=__version__,
        input_hash=input_hash,
        config=_config_data(package, phase, dry_run),
        schema=_schema_data(),
        output=rmm.output_config(profile, package.id, phase),
        task=dict(options or {}),
        runtime=_RUNTIME_MARK,
    )
    runtime = runtime_source() + "\n" + runtime_source(PROFILE_DIRS[rmm.get_profile(profile).phase_exit])
    return to_script_bytes(_inline_runtime(text, runtime, ""), what=f"{package.id} {phase.value} script")


def render_reset_script(package: Package) -> str:
    """The tiny script that deletes a package's backoff state file on a host (ASCII, CRLF, lint-clean);
    ``remediate.fleet.reset_state`` runs it."""
    text = _render_template("Reset-RmState.ps1.j2", package_id=package.id, run_as=package.run_as.value)
    return to_script_bytes(text, what=f"{package.id} state reset").decode("ascii")


def scripts_for(package: Package) -> Callable[[str, Phase, bool, bool], str]:
    """The fleet's ``ScriptsFor`` (remediate/fleet.py): the package's scripts rendered in memory (ASCII, CRLF)."""

    def render(package_id: str, phase: Phase, dry_run: bool, cycle: bool) -> str:
        return render_script(package, Phase(phase), dry_run=dry_run, cycle=cycle).decode("ascii")

    return render
