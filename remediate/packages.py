"""Packages as data: ``packaging/<id>.toml`` files, validated against the check catalog.

A package names the checks it runs (in a ``[checks.<id>]`` table each, holding option overrides and, for
opt-in checks, ``fix = true``), who it runs as, its Intune schedule and, in ``[intune]``, its Intune scope tags. Every validation error names the
file, the key and what was expected.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remediate.checks.base import Check, Context, Option, Tier, all_checks
from remediate.errors import ConfigError, did_you_mean
from remediate.output import Result, table, terminal_width

PACKAGE_ID_RE = r"[a-z][a-z0-9-]{1,40}"

_TOP_KEYS = {"id", "display_name", "description", "publisher", "run_as", "run_as_64bit",
             "enforce_signature_check", "schedule", "runtime", "checks", "intune"}
_INTUNE_KEYS = ("scope_tags",)
_SCOPE_TAG_MAX = 100  # a sanity bound on the list, not an Intune limit

RUNTIME_OPTIONS = (
    Option("max_attempts", int, 3, "failed fix attempts before a check reports needs_attention", min=1, max=50),
    Option("cooldown_minutes", int, 60, "wait after a failed attempt; doubles with each failure", min=0,
           max=10080),
    Option("cooldown_max_hours", int, 24, "upper bound of the doubling cooldown", min=1, max=720),
    Option("failure_expiry_days", int, 7, "failure counts older than this are forgotten (a check passing on its "
           "own forgets them at once)", min=1, max=365),
    Option("quarantine_retention_days", int, 14, "quarantined files older than this are purged", min=1,
           max=365),
    Option("log_max_kb", int, 1024, "the log file is rolled over beyond this size", min=16, max=65536),
)

SCHEDULE_OPTIONS = (
    Option("kind", str, "daily", "hourly | daily | once", choices=("hourly", "daily", "once")),
    Option("interval", int, 1, "hours between runs (hourly) or days (daily/once)", min=1, max=23),
    Option("time", str, "09:00", "HH:MM local (or UTC with use_utc)", pattern=r"([01]\d|2[0-3]):[0-5]\d"),
    Option("date", str, "", "YYYY-MM-DD for kind = once", pattern=r"(\d{4}-\d{2}-\d{2})?"),
    Option("use_utc", bool, False, "interpret time in UTC"),
)


@dataclass(frozen=True)
class CheckConfig:
    """A check as a package configures it."""

    check: Check
    options: Mapping[str, Any]
    fix: bool  # whether the remediation may apply this check's fix

    @property
    def id(self) -> str:
        return self.check.id


@dataclass(frozen=True)
class Package:
    id: str
    display_name: str
    description: str
    publisher: str
    run_as: Context
    run_as_64bit: bool
    enforce_signature_check: bool
    schedule: Mapping[str, Any]
    runtime: Mapping[str, Any]
    checks: tuple[CheckConfig, ...]
    source: Path
    source_bytes: bytes
    # [intune] scope_tags: names or numeric ids, as written; () = not declared (publish leaves tags alone)
    scope_tags: tuple[str, ...] = ()

    @property
    def source_name(self) -> str:
        return f"packaging/{self.source.name}"

    def input_hash(self, extra: bytes = b"") -> str:
        """sha256 over the package file and the rendering inputs, written into the script header."""
        return hashlib.sha256(self.source_bytes + extra).hexdigest()

    @property
    def budget_seconds(self) -> int:
        return sum(c.check.budget_seconds for c in self.checks)


def _require_str(data: Mapping[str, Any], key: str, file: str, *, pattern: str | None = None) -> str:
    if key not in data:
        raise ConfigError("is required (a string)", file=file, key=key)
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"expected a non-empty string, got {value!r}", file=file, key=key)
    if pattern and not re.fullmatch(pattern, value):
        raise ConfigError(f"{value!r} does not match {pattern}", file=file, key=key)
    return value


def _table(data: Mapping[str, Any], key: str, file: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"expected a table, got {type(value).__name__}", file=file, key=key)
    return value


def _options(spec: tuple[Option, ...], data: Mapping[str, Any], file: str, key: str) -> dict[str, Any]:
    names = {o.name: o for o in spec}
    values = {o.name: o.default for o in spec}
    for name in sorted(data):
        if name not in names:
            raise ConfigError(f"unknown key (expected one of {', '.join(names)})", file=file, key=f"{key}.{name}")
        values[name] = names[name].validate(data[name], file=file, key=f"{key}.{name}")
    return values


def _scope_tags(data: Mapping[str, Any], file: str) -> tuple[str, ...]:
    """``[intune] scope_tags``: a non-empty list of distinct non-empty strings (tag names or numeric ids).
    Absent is (): publishing then keeps today's behaviour (Default on create, the portal's tags on update)."""
    intune = _table(data, "intune", file)
    for name in sorted(intune):
        if name not in _INTUNE_KEYS:
            raise ConfigError(f"unknown key{did_you_mean(name, _INTUNE_KEYS)}", file=file, key=f"intune.{name}")
    if "scope_tags" not in intune:
        return ()
    value, key = intune["scope_tags"], "intune.scope_tags"
    if not isinstance(value, list) or not value:
        raise ConfigError(f"expected a non-empty list of scope tag names or ids (Default is \"0\"), got {value!r}; "
                          "leave the key out to keep the portal's tags", file=file, key=key)
    if len(value) > _SCOPE_TAG_MAX:
        raise ConfigError(f"at most {_SCOPE_TAG_MAX} scope tags, got {len(value)}", file=file, key=key)
    seen: dict[str, str] = {}
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"expected non-empty strings (write ids quoted: \"7\"), got {item!r}", file=file,
                              key=key)
        if item.strip().casefold() in seen:
            raise ConfigError(f"{item!r} is listed twice", file=file, key=key)
        seen[item.strip().casefold()] = item
    return tuple(item.strip() for item in value)


def _validated_overrides(overrides: Mapping[str, Any], tables: Mapping[str, Any], pkg_id: str,
                         origin: str | None) -> dict[str, dict[str, Any]]:
    """The site config's overrides for one package, each id and value checked against the catalog and named
    by the config file and its key (``overrides.<package>.<check>.<option>``), not by the package file."""
    catalog = all_checks()
    checked: dict[str, dict[str, Any]] = {}
    for check_id, table in overrides.items():
        key = f"overrides.{pkg_id}.{check_id}"
        if check_id not in tables:
            hint = did_you_mean(check_id, tables)
            what = "is not a check of this package" if check_id in catalog else "unknown check"
            raise ConfigError(f"{what}{hint}", file=origin, key=key)
        check = catalog[check_id]
        values = dict(table)
        for name in sorted(values):
            if name == "fix":
                if not isinstance(values[name], bool):
                    raise ConfigError(f"expected boolean, got {values[name]!r}", file=origin, key=f"{key}.fix")
                continue
            option = check.option(name)
            if option is None:
                names = [o.name for o in check.options] + ["fix"]
                raise ConfigError(f"unknown option{did_you_mean(name, names)}", file=origin, key=f"{key}.{name}")
            values[name] = option.validate(values[name], file=origin, key=f"{key}.{name}")
        checked[check_id] = values
    return checked


def _check_configs(data: Mapping[str, Any], run_as: Context, file: str,
                   overrides: Mapping[str, Any]) -> tuple[CheckConfig, ...]:
    tables = _table(data, "checks", file)
    if not tables:
        raise ConfigError("a package needs at least one [checks.<id>] table", file=file, key="checks")
    catalog = all_checks()
    configs = []
    for check_id in tables:
        key = f"checks.{check_id}"
        check = catalog.get(check_id)
        if check is None:
            raise ConfigError(f"unknown check{did_you_mean(check_id, catalog)}", file=file, key=key)
        if check.context is not run_as:
            raise ConfigError(f"check runs as {check.context.value} but the package runs as {run_as.value}",
                              file=file, key=key)
        table = dict(_table(tables, check_id, file))
        table.update(overrides.get(check_id, {}))
        fix = table.pop("fix", check.tier is Tier.SAFE)
        if not isinstance(fix, bool):
            raise ConfigError(f"expected boolean, got {fix!r}", file=file, key=f"{key}.fix")
        if fix and check.tier is Tier.ADVISORY:
            raise ConfigError("an advisory check cannot be fixed", file=file, key=f"{key}.fix")
        options = check.resolve_options(table, file=file, key=key)
        configs.append(CheckConfig(check=check, options=options, fix=fix))
    configs.sort(key=lambda c: (c.check.rank, c.id))
    return tuple(configs)


def parse_package(path: Path, overrides: Mapping[str, Any] | None = None, origin: str | None = None) -> Package:
    """Load and validate one package file. ``overrides`` maps check id -> option values from the site config
    ``origin`` (the file named in their errors)."""
    file = f"packaging/{path.name}" if path.parent.name == "packaging" else str(path)
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=file) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"unknown key (expected one of {', '.join(sorted(_TOP_KEYS))})", file=file,
                          key=unknown[0])
    pkg_id = _require_str(data, "id", file, pattern=PACKAGE_ID_RE)
    if path.stem != pkg_id:
        raise ConfigError(f"id {pkg_id!r} must match the file name {path.stem!r}", file=file, key="id")
    run_as_text = _require_str(data, "run_as", file)
    try:
        run_as = Context(run_as_text)
    except ValueError:
        raise ConfigError(f"expected system or user, got {run_as_text!r}", file=file, key="run_as") from None
    flags = _options((Option("run_as_64bit", bool, True, ""), Option("enforce_signature_check", bool, False, "")),
                     {k: data[k] for k in ("run_as_64bit", "enforce_signature_check") if k in data}, file, "")
    if not flags["run_as_64bit"]:
        raise ConfigError("must be true: the checks read the 64-bit registry and run 64-bit PowerShell",
                          file=file, key="run_as_64bit")
    schedule = _options(SCHEDULE_OPTIONS, _table(data, "schedule", file), file, "schedule")
    if schedule["kind"] == "once" and not schedule["date"]:
        raise ConfigError("a once schedule needs a date (YYYY-MM-DD)", file=file, key="schedule.date")
    return Package(
        id=pkg_id,
        display_name=_require_str(data, "display_name", file),
        description=_require_str(data, "description", file),
        publisher=_require_str(data, "publisher", file),
        run_as=run_as,
        run_as_64bit=True,
        enforce_signature_check=flags["enforce_signature_check"],
        schedule=schedule,
        runtime=_options(RUNTIME_OPTIONS, _table(data, "runtime", file), file, "runtime"),
        checks=_check_configs(data, run_as, file,
                              _validated_overrides(overrides or {}, _table(data, "checks", file), pkg_id, origin)),
        source=path,
        source_bytes=raw,
        scope_tags=_scope_tags(data, file),
    )


def load_packages(directory: Path, overrides: Mapping[str, Any] | None = None,
                  origin: str | None = None) -> list[Package]:
    """Every ``*.toml`` in ``directory``, sorted by file name. ``overrides``: package id -> check id -> options,
    from the site config ``origin``; an id that names no package is an error with a "did you mean"."""
    if not directory.is_dir():
        raise ConfigError("packaging directory not found", file=str(directory))
    overrides = overrides or {}
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise ConfigError("no package files (*.toml)", file=str(directory))
    unknown = sorted(set(overrides) - {p.stem for p in files})
    if unknown:
        raise ConfigError(f"unknown package{did_you_mean(unknown[0], [p.stem for p in files])}", file=origin,
                          key=f"overrides.{unknown[0]}")
    return [parse_package(p, overrides.get(p.stem, {}), origin) for p in files]


def find_package(packages: list[Package], package_id: str) -> Package:
    for package in packages:
        if package.id == package_id:
            return package
    raise ConfigError(f"unknown package {package_id!r}{did_you_mean(package_id, [p.id for p in packages])}")


def list_result(packages: list[Package]) -> Result:
    """``remediate list``: every check of every package, then the checks no package runs."""
    rows = [
        {"package": p.id, "run_as": p.run_as.value, "check": c.id, "context": c.check.context.value,
         "tier": c.check.tier.value, "fix": c.fix, "budget_s": c.check.budget_seconds}
        for p in packages for c in p.checks
    ]
    listed = {c.id for p in packages for c in p.checks}
    rows += [{"package": "-", "run_as": "-", "check": c.id, "context": c.context.value, "tier": c.tier.value,
              "fix": False, "budget_s": c.budget_seconds} for c in all_checks().values() if c.id not in listed]
    lines = table(["package", "check", "context", "tier", "fix", "budget"],
                  [[r["package"], r["check"], r["context"], r["tier"], "yes" if r["fix"] else "no",
                    f"{r['budget_s']}s"] for r in rows], terminal_width())
    return Result("list", rows, lines, rows=rows)

