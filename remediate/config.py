"""The optional site configuration file: where packages live and option overrides.

    packaging_dir = "packaging"          # relative to the config file
    out_dir = "detection_scripts"
    [overrides.caa20002-user.teams_cache]
    window_hours = 48

Where it is found, first match wins (``Settings.source`` records which): the global ``--config FILE``; the
``REMEDIATE_CONFIG`` environment variable; the default location ``default_config_path()``
(``$XDG_CONFIG_HOME/remediate/config.toml``, ``~/.config/remediate/config.toml`` when that is unset, or
``%APPDATA%\\remediate\\config.toml`` on Windows). A file named by ``--config`` or ``REMEDIATE_CONFIG`` must
exist; the default location may be absent.

Where the packages are found, first match wins: the config's ``packaging_dir``; ``./packaging`` in the current
folder (a site's copy, made by ``remediate init``); the built-in packages shipped inside the installed package
(``BUILTIN_PACKAGING``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remediate.errors import ConfigError, did_you_mean

_KEYS = ("out_dir", "overrides", "packaging_dir")
CONFIG_ENV = "REMEDIATE_CONFIG"
# The packages that ship inside the wheel (package data), used when no ./packaging exists.
BUILTIN_PACKAGING = Path(__file__).resolve().parent / "packaging"


@dataclass(frozen=True)
class Settings:
    packaging_dir: Path = BUILTIN_PACKAGING
    out_dir: Path = Path("detection_scripts")
    overrides: dict[str, Any] = field(default_factory=dict)
    source: str = "built-in defaults"  # the config file these came from
    packaging_source: str = "built-in"  # config | ./packaging | built-in


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """The documented default location of the site config (may not exist)."""
    env = os.environ if env is None else env
    if os.name == "nt" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "remediate" / "config.toml"
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "remediate" / "config.toml"


def find_config(flag: Path | None, env: Mapping[str, str] | None = None) -> Path | None:
    """The config file to read: ``--config``, then ``REMEDIATE_CONFIG``, then the default location if present."""
    env = os.environ if env is None else env
    if flag is not None:
        return flag
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    default = default_config_path(env)
    return default if default.is_file() else None


def local_packaging(cwd: Path | None = None) -> Path | None:
    candidate = (cwd or Path.cwd()) / "packaging"
    return candidate if candidate.is_dir() else None


def load_settings(path: Path | None) -> Settings:
    """Settings from the config file ``path`` (None: none), with the packaging folder resolved."""
    local = local_packaging()
    fallback = {"packaging_dir": local or BUILTIN_PACKAGING,
                "packaging_source": "./packaging" if local else "built-in"}
    if path is None:
        return Settings(**fallback)
    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except IsADirectoryError:
        raise ConfigError("is a folder, expected a TOML file", file=file) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=file) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from None
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ConfigError(f"unknown key{did_you_mean(unknown[0], _KEYS)}", file=file, key=unknown[0])
    base = path.parent
    for key in ("packaging_dir", "out_dir"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"expected a string path, got {data[key]!r}", file=file, key=key)
    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise ConfigError("expected tables [overrides.<package>.<check>]", file=file, key="overrides")
    for package_id, checks in overrides.items():
        for check_id, table in checks.items():
            if not isinstance(table, dict):
                raise ConfigError("expected a table of option values", file=file,
                                  key=f"overrides.{package_id}.{check_id}")
    if "packaging_dir" in data:
        fallback = {"packaging_dir": base / data["packaging_dir"], "packaging_source": file}
    return Settings(out_dir=base / data.get("out_dir", "detection_scripts"), overrides=overrides, source=file,
                    **fallback)


def init_result(target: Path, *, force: bool = False) -> Any:
    """``remediate init [DIR]``: copy the built-in packages to ``DIR/packaging/`` for a site to edit; commands run
    in DIR then use them. Refuses to replace a file that differs, unless ``force``; nothing is written then."""
    from remediate.fsutil import check_writable_dir, write_atomic
    from remediate.output import Result

    folder = target / "packaging"
    sources = sorted(BUILTIN_PACKAGING.glob("*.toml"))
    clashes = [folder / s.name for s in sources
               if (folder / s.name).is_file() and (folder / s.name).read_bytes() != s.read_bytes()]
    if clashes and not force:
        raise ConfigError("exists and differs from the built-in package (--force replaces it)", file=str(clashes[0]))
    check_writable_dir(folder)
    files = [{"path": (folder / s.name).as_posix(), "state": write_atomic(folder / s.name, s.read_bytes())}
             for s in sources]
    lines = [f"{f['state']:<9} {f['path']}" for f in files]
    lines.append(f"edit them, then run remediate in {target} (or set packaging_dir in a site config)")
    return Result("init", {"packaging_dir": folder.as_posix(), "files": files}, lines, rows=files)


def package_ids(directory: Path | None = None) -> list[str]:
    """The package ids a command would see (file names only, nothing parsed): for shell completion."""
    try:
        directory = directory or load_settings(find_config(None)).packaging_dir
    except ConfigError:
        return []
    return sorted(p.stem for p in directory.glob("*.toml"))
