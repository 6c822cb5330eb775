"""The check catalog: every subpackage of this package that declares ``CHECK``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from remediate.checks.base import Check, Context, Option, Tier

__all__ = ["Check", "Context", "Option", "Tier", "all_checks", "get_check"]


@lru_cache(maxsize=1)
def all_checks() -> dict[str, Check]:
    """Every check, keyed by id, ordered by ladder rank then id."""
    found: list[Check] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        check = getattr(module, "CHECK", None)
        if isinstance(check, Check):
            if check.id != info.name:
                raise ValueError(f"check folder {info.name} declares id {check.id}")
            found.append(check)
    found.sort(key=lambda c: (c.rank, c.id))
    return {c.id: c for c in found}


def get_check(check_id: str) -> Check | None:
    return all_checks().get(check_id)
