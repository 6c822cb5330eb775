"""The check catalog: every subpackage of this package that declares ``CHECK`` (found by ``all_checks`` in
``base``, beside the types, so that a package file can be validated with one import)."""

from __future__ import annotations

from remediate.checks.base import Check, Context, Option, Tier, all_checks, get_check

__all__ = ["Check", "Context", "Option", "Tier", "all_checks", "get_check"]
