"""The docs stand alone: nothing a user reads (README, docs, changelog, the delivered scripts and what they are
rendered from) points at files outside the repository, and every relative link resolves inside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = ("DOMAIN.md", "shared/", "/work/")


def user_facing() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    files += sorted(p for p in (ROOT / "detection_scripts").rglob("*") if p.is_file())
    package = ROOT / "remediate"
    files += sorted(p for p in package.rglob("*") if p.suffix in (".ps1", ".j2", ".md", ".toml"))
    return files


@pytest.mark.parametrize("path", user_facing(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_nothing_points_outside_the_repository(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    found = [needle for needle in OUTSIDE if needle in text]
    assert found == [], f"{path.relative_to(ROOT)} mentions {found}"


@pytest.mark.parametrize("path", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve_inside_the_repository(path):
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(ROOT) and resolved.exists(), f"{path.name}: {target}"


def test_readme_explains_the_round_trip_numbers():
    """The two numbers a reader meets (a test's 11, the benchmark's 7) are explained where they meet them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("why a test prints 11 where the benchmark says 7", 1)[1].split("\n## ", 1)[0]
    assert "round trips psrp/http cycle: 11" in section and "**7**" in section
    bench = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "**7**" in bench
