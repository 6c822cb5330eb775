"""``remediate generate``: render every package into detection_scripts/ and the reference tables into the docs
(docs/results.md, the mapping in docs/rmm.md, the exit codes in README.md), or check all of them.

Writes are atomic (remediate.fsutil: temporary file, fsync, rename), so an interrupted run never leaves half a
script behind.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from remediate import docs, rmm

from remediate.fsutil import write_atomic
from remediate.limits import check_script
from remediate.packages import Package
from remediate.render import render_package, render_rmm_script
from remediate.output import Result


class FileState(str, enum.Enum):
    CREATE = "create"
    IDENTICAL = "identical"
    CHANGED = "changed"
    EXTRA = "extra"  # a file in the output folder that no package generates


@dataclass(frozen=True)
class FilePlan:
    path: Path
    state: FileState
    data: bytes | None  # None for EXTRA

    def __str__(self) -> str:
        return f"{self.state.value:9} {self.path.as_posix()}"


def plan(packages: list[Package], out_dir: Path) -> list[FilePlan]:
    """What generating would do, file by file, in a stable order."""
    plans: list[FilePlan] = []
    expected: set[Path] = set()
    for package in packages:
        rendered = render_package(package)
        for name, data in sorted(rendered.files().items()):
            path = out_dir / package.id / name
            expected.add(path)
            if not path.exists():
                state = FileState.CREATE
            elif path.read_bytes() == data:
                state = FileState.IDENTICAL
            else:
                state = FileState.CHANGED
            plans.append(FilePlan(path, state, data))
    if out_dir.is_dir():
        for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
            if path not in expected:
                plans.append(FilePlan(path, FileState.EXTRA, None))
    return plans


# The source checkout: its docs hold tables generated from the code (absent in an installed wheel).
SOURCE_ROOT = Path(__file__).resolve().parent.parent


def source_root() -> Path | None:
    """The checkout whose docs ``generate`` keeps current; None when installed (site-packages is no checkout)."""
    return SOURCE_ROOT if (SOURCE_ROOT / "pyproject.toml").is_file() else None


# The PSScriptAnalyzer settings remediate lint uses (remediate/pssa.py); the repository root holds a copy under
# the name editors and CI pick up by themselves.
PSSA_SETTINGS = Path(__file__).resolve().parent / "data" / "PSScriptAnalyzerSettings.psd1"


def doc_targets(root: Path) -> list[tuple[Path, Callable[[str], str]]]:
    """Each generated document and how to make it from its current text (a whole file, or a marked block)."""
    return [(root / "docs" / "results.md", lambda _old: docs.results_markdown()),
            (root / "docs" / "rmm.md", rmm.splice_doc),
            (root / "README.md", docs.splice_readme),
            (root / PSSA_SETTINGS.name, lambda _old: PSSA_SETTINGS.read_text(encoding="utf-8"))]


def plan_docs(root: Path) -> list[FilePlan]:
    """What generating the documents would do; none when ``root`` has no docs (an installed package)."""
    plans = []
    for path, make in doc_targets(root):
        if not path.is_file():
            continue
        old = path.read_bytes()
        data = make(old.decode("utf-8")).encode("utf-8")
        plans.append(FilePlan(path, FileState.IDENTICAL if data == old else FileState.CHANGED, data))
    return plans


def apply(plans: list[FilePlan]) -> int:
    """Write every created or changed file; returns how many were written. Extra files are left alone."""
    written = 0
    for item in plans:
        if item.state in (FileState.CREATE, FileState.CHANGED) and item.data is not None:
            write_atomic(item.path, item.data)
            written += 1
    return written


def drift(plans: list[FilePlan]) -> list[FilePlan]:
    return [p for p in plans if p.state is not FileState.IDENTICAL]


def build_rmm_scripts(packages: list[Package], profile: str, out_dir: Path) -> list[tuple[Path, str]]:
    """Write ``<out>/rmm/<profile>/<package>.ps1`` per package; (path, create|identical|changed) each."""
    chosen = rmm.get_profile(profile)
    written = []
    for package in packages:
        data = render_rmm_script(package, profile)
        check_script(data, f"rmm/{profile}/{package.id}.ps1", chosen.limit)
        path = out_dir / "rmm" / profile / f"{package.id}.ps1"
        written.append((path, write_atomic(path, data)))
    return written


def generate_result(packages: list[Package], out_dir: Path, *, check: bool, docs_root: Path | None) -> Result:
    """``remediate generate``: every script (and, with ``docs_root``, every generated doc) planned, then written
    unless ``check``; with ``check``, exit 1 on any drift."""
    plans = plan(packages, out_dir) + (plan_docs(docs_root) if docs_root else [])
    shown = [p for p in plans if check or p.state is not FileState.IDENTICAL]
    files = [{"path": p.path.as_posix(), "state": p.state.value} for p in shown]
    lines = [str(p) for p in shown]
    if check:
        drifted = drift(plans)
        lines.append(f"{len(plans)} file(s), {len(drifted)} differ from their templates")
        return Result("generate", {"files": files, "checked": len(plans), "differ": len(drifted)}, lines,
                      exit_code=1 if drifted else 0)
    written = apply(plans)
    structlog.get_logger("remediate").info("generate.done", written=written, files=len(plans), out=str(out_dir))
    lines.append(f"{written} file(s) written, {len(plans) - written} unchanged, in {out_dir}")
    return Result("generate", {"files": files, "written": written, "unchanged": len(plans) - written}, lines)


def rmm_scripts_result(packages: list[Package], profile: str, out_dir: Path) -> Result:
    """``remediate package --rmm``: the scripts written, one line each."""
    written = build_rmm_scripts(packages, profile, out_dir)
    return Result("package", [{"file": str(path), "state": state} for path, state in written],
                  [f"{state:<9} {path}" for path, state in written])
