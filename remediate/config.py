"""The optional site configuration file (``--config FILE``): where packages live and option overrides.

    packaging_dir = "packaging"          # relative to the config file
    out_dir = "detection_scripts"
    [overrides.caa20002-user.teams_cache]
    window_hours = 48
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remediate.errors import ConfigError

_KEYS = {"packaging_dir", "out_dir", "overrides"}


@dataclass(frozen=True)
class Settings:
    packaging_dir: Path = Path("packaging")
    out_dir: Path = Path("detection_scripts")
    overrides: dict[str, Any] = field(default_factory=dict)
    source: str = "built-in defaults"


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return Settings()
    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=file) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(f"unknown key (expected one of {', '.join(sorted(_KEYS))})", file=file, key=unknown[0])
    base = path.parent
    for key in ("packaging_dir", "out_dir"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"expected a string path, got {data[key]!r}", file=file, key=key)
    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise ConfigError("expected tables [overrides.<package>.<check>]", file=file, key="overrides")
    return Settings(
        packaging_dir=base / data.get("packaging_dir", "packaging"),
        out_dir=base / data.get("out_dir", "detection_scripts"),
        overrides=overrides,
        source=file,
    )
