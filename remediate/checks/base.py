"""The check model: metadata, typed options, desired state and the two PowerShell fragments, side by side.

A check lives in ``remediate/checks/<id>/``: ``__init__.py`` declares ``CHECK`` (this module's ``Check``),
``detect.ps1.j2`` is the body of its detection function and ``remediate.ps1.j2`` the body of its
remediation function (absent for advisory checks). The desired state is computed once in Python from the
options (``Check.desired``) and rendered as a PowerShell literal that both fragments read as ``$Desired``.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from remediate.errors import ConfigError

CHECK_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class Context(str, enum.Enum):
    SYSTEM = "system"
    USER = "user"


class Tier(str, enum.Enum):
    SAFE = "safe"  # fixed by default
    OPT_IN = "opt-in"  # fixed only when the package sets `fix = true` for the check
    ADVISORY = "advisory"  # reported, never fixed


_TYPE_NAMES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list of strings"}


@dataclass(frozen=True)
class Option:
    """A typed option. ``type`` is bool, int, float, str or list (of strings)."""

    name: str
    type: type
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None  # regex each string (or list item) must match

    def validate(self, value: Any, *, file: str | None, key: str) -> Any:
        """Return the value when it is valid; raise ConfigError naming file, key and what was expected."""
        expected = _TYPE_NAMES[self.type]
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        ok_type = isinstance(value, self.type) and not (self.type is not bool and isinstance(value, bool))
        if not ok_type:
            raise ConfigError(f"expected {expected}, got {type(value).__name__} {value!r}", file=file, key=key)
        items = value if self.type is list else [value]
        for item in items:
            self._validate_item(item, file=file, key=key)
        return list(value) if self.type is list else value

    def _validate_item(self, item: Any, *, file: str | None, key: str) -> None:
        if self.type is list and not isinstance(item, str):
            raise ConfigError(f"expected a list of strings, found {item!r}", file=file, key=key)
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            if self.min is not None and item < self.min:
                raise ConfigError(f"{item} is below the minimum {self.min:g}", file=file, key=key)
            if self.max is not None and item > self.max:
                raise ConfigError(f"{item} is above the maximum {self.max:g}", file=file, key=key)
        if isinstance(item, str):
            if self.choices is not None and item not in self.choices:
                raise ConfigError(f"expected one of {', '.join(self.choices)}, got {item!r}", file=file, key=key)
            if self.pattern is not None and not re.fullmatch(self.pattern, item):
                raise ConfigError(f"{item!r} does not match {self.pattern}", file=file, key=key)


@dataclass(frozen=True)
class Check:
    """One cause of CAA20002 with its signal and (unless advisory) its fix."""

    id: str
    title: str
    context: Context
    tier: Tier
    budget_seconds: int  # worst-case time the detection + remediation may take on a device
    rank: int  # position on DOMAIN.md's ladder, least invasive first; fixes run in this order
    signal: str  # what the detection looks at (generated README)
    fix: str  # what the remediation changes, or "none (advisory)"
    backup: str = "nothing is changed"  # what is kept for undo
    undo: str = "nothing to undo"
    options: tuple[Option, ...] = ()
    desired: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    directory: Path = field(default_factory=Path)
    evidence_gated: bool = False  # the fix runs only with sign-in failure evidence for this user

    def __post_init__(self) -> None:
        if not CHECK_ID_RE.match(self.id):
            raise ValueError(f"bad check id {self.id!r}")
        if self.tier is Tier.ADVISORY and self.remediation_template is not None:
            raise ValueError(f"advisory check {self.id} must not ship a remediation fragment")
        if self.tier is not Tier.ADVISORY and self.remediation_template is None:
            raise ValueError(f"check {self.id} ({self.tier.value}) has no remediate.ps1.j2")
        if not (self.directory / "detect.ps1.j2").is_file():
            raise ValueError(f"check {self.id} has no detect.ps1.j2")

    @property
    def detection_template(self) -> Path:
        return self.directory / "detect.ps1.j2"

    @property
    def remediation_template(self) -> Path | None:
        path = self.directory / "remediate.ps1.j2"
        return path if path.is_file() else None

    @property
    def function_stem(self) -> str:
        """PascalCase noun used in the generated function names (Test-Rm<Stem>, Repair-Rm<Stem>).

        PowerShell nouns are singular (PSScriptAnalyzer's PSUseSingularNouns), so a plural last word of the id
        loses its -s: ``network_endpoints`` gives ``Test-RmNetworkEndpoint``."""
        words = [part.capitalize() for part in self.id.split("_")]
        if words[-1].endswith("s") and not words[-1].endswith(("ss", "us", "is")):
            words[-1] = words[-1][:-1]
        return "".join(words)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    def resolve_options(self, overrides: Mapping[str, Any], *, file: str | None, key: str) -> dict[str, Any]:
        """Defaults with validated overrides applied. Unknown names are configuration errors."""
        values = {o.name: o.default for o in self.options}
        for name in sorted(overrides):
            opt = self.option(name)
            if opt is None:
                known = ", ".join(o.name for o in self.options) or "none"
                raise ConfigError(f"unknown option {name!r} for check {self.id} (options: {known})",
                                  file=file, key=f"{key}.{name}")
            values[name] = opt.validate(overrides[name], file=file, key=f"{key}.{name}")
        return values

    def desired_state(self, options: Mapping[str, Any]) -> dict[str, Any]:
        return self.desired(options) if self.desired else {}


# -- the catalog: every subpackage of remediate/checks that declares CHECK (found, not listed) ---------------
@lru_cache(maxsize=1)
def all_checks() -> dict[str, Check]:
    """Every check, keyed by id, ordered by ladder rank then id."""
    found: list[Check] = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"remediate.checks.{info.name}")
        check = getattr(module, "CHECK", None)
        if isinstance(check, Check):
            if check.id != info.name:
                raise ValueError(f"check folder {info.name} declares id {check.id}")
            found.append(check)
    found.sort(key=lambda c: (c.rank, c.id))
    return {c.id: c for c in found}


def get_check(check_id: str) -> Check | None:
    return all_checks().get(check_id)
