"""Glue between packages and the Intune modules: render a package into a bundle, make a Graph client.

Kept apart from ``bundle`` so that module stays independent of where script bytes come from.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from remediate.intune.auth import AuthSettings, TokenProvider, token_provider
from remediate.intune.bundle import Bundle, BundleReport, ScriptMeta, Sign, make_bundle, write_bundle
from remediate.intune.graph import DEFAULT_BASE_URL, DEFAULT_DEADLINE_S, GraphClient, RetryPolicy
from remediate.intune.permissions import for_command
from remediate.packages import Package, find_package
from remediate.render import render_package

GRAPH_URL_ENV = "REMEDIATE_GRAPH_URL"  # tests and sovereign clouds point this elsewhere


def bundle_package(package: Package, sign: Sign | None = None) -> Bundle:
    rendered = render_package(package)
    return make_bundle(ScriptMeta.from_package(package), rendered.detect, rendered.remediate, sign=sign)


def select(packages: list[Package], ids: Iterable[str]) -> list[Package]:
    """The packages named by ``ids`` (in the order given), or all of them when none is named."""
    ids = list(ids)
    return [find_package(packages, i) for i in ids] if ids else packages


def build_bundles(packages: list[Package], out_dir: Path, sign: Sign | None = None) -> list[BundleReport]:
    return [write_bundle(bundle_package(p, sign), out_dir) for p in packages]


def graph_client(settings: AuthSettings, base_url: str | None = None, token: TokenProvider | None = None, *,
                 command: str | None = None, deadline_s: float | None = None) -> GraphClient:
    """A client for one command: its permissions are named in 401/403 errors; ``deadline_s`` bounds it all."""
    url = base_url or os.environ.get(GRAPH_URL_ENV) or DEFAULT_BASE_URL
    retry = RetryPolicy(deadline_s=DEFAULT_DEADLINE_S if deadline_s is None else deadline_s)
    return GraphClient(token or token_provider(settings), url, retry=retry,
                       needs=for_command(command) if command else None)
