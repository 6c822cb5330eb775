"""``remediate generate``: render every package into detection_scripts/, or check the committed files.

Writes are atomic (remediate.fsutil: temporary file, fsync, rename), so an interrupted run never leaves half a
script behind.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from remediate.fsutil import write_atomic
from remediate.packages import Package
from remediate.render import render_package


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
