"""Glue between rendered packages and the Intune modules: make a bundle, make a Graph client.

Delivery does not render: the caller hands in a rendered package (``remediate.render.render_package``), so
building, running and delivering stay side by side (docs/architecture.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from remediate.intune.auth import AuthSettings, TokenProvider, token_provider
from remediate.intune.bundle import Bundle, BundleReport, ScriptMeta, Sign, make_bundle, write_bundle
from remediate.intune.graph import DEFAULT_BASE_URL, DEFAULT_DEADLINE_S, GraphClient, RetryPolicy
from remediate.intune.permissions import for_command
from remediate.output import Result
from remediate.packages import Package, find_package

GRAPH_URL_ENV = "REMEDIATE_GRAPH_URL"  # tests and sovereign clouds point this elsewhere


class Rendered(Protocol):
    """What a bundle needs of a rendered package (``remediate.render.RenderedPackage`` is one)."""

    package: Package
    detect: bytes
    remediate: bytes


def bundle_package(rendered: Rendered, sign: Sign | None = None) -> Bundle:
    meta = ScriptMeta.from_package(rendered.package)
    return make_bundle(meta, rendered.detect, rendered.remediate, sign=sign)


def select(packages: list[Package], ids: Iterable[str]) -> list[Package]:
    """The packages named by ``ids`` (in the order given), or all of them when none is named."""
    ids = list(ids)
    return [find_package(packages, i) for i in ids] if ids else packages


def build_bundles(rendered: Iterable[Rendered], out_dir: Path, sign: Sign | None = None) -> list[BundleReport]:
    return [write_bundle(bundle_package(r, sign), out_dir) for r in rendered]


def graph_client(settings: AuthSettings, base_url: str | None = None, token: TokenProvider | None = None, *,
                 command: str | None = None, deadline_s: float | None = None) -> GraphClient:
    """A client for one command: its permissions are named in 401/403 errors; ``deadline_s`` bounds it all."""
    url = base_url or os.environ.get(GRAPH_URL_ENV) or DEFAULT_BASE_URL
    retry = RetryPolicy(deadline_s=DEFAULT_DEADLINE_S if deadline_s is None else deadline_s)
    return GraphClient(token or token_provider(settings), url, retry=retry,
                       needs=for_command(command) if command else None)


def bundles_result(reports: list[BundleReport], out_dir: Path) -> Result:
    """``remediate package``: one line per file written (create / identical / changed)."""
    data = [{"package": r.package_id, "folder": str(r.folder), "zip": str(r.zip_path), "signed": r.signed,
             "files": dict(r.status)} for r in reports]
    lines = [f"{state:<9} {out_dir / name}" for r in reports for name, state in r.status.items()]
    return Result("package", data, lines)
