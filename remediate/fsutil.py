"""Files written atomically and zips built deterministically.

Atomic: a temp file in the target directory, fsync, then ``os.replace``, so a reader never sees a
half-written file. Deterministic: fixed timestamps, sorted entries and fixed permissions, so the same input
gives byte-identical output on every run and machine.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from remediate.errors import ConfigError

# 1980-01-01 is the earliest time a zip entry can carry; any fixed value works, this one is conventional.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o644


def _cannot_write(path: Path, exc: OSError) -> ConfigError:
    return ConfigError(f"cannot write: {exc.strerror or exc}", file=str(path))


def check_writable_dir(path: Path) -> None:
    """Fail before any work when ``path`` cannot hold output (exit 5, one line): it is a file, or a folder on
    the way cannot be made, or nothing can be created in it. Creates the folder (an empty one is harmless)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".remediate-probe.", dir=path)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def check_appendable(path: Path) -> None:
    """Fail before any host is contacted when a results file cannot be appended to. Writes nothing to it."""
    if path.is_dir():
        raise ConfigError("is a folder, expected a file", file=str(path))
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ConfigError("cannot write: its folder does not exist", file=str(path))
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def write_atomic(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes.

    Returns ``"create"``, ``"identical"`` or ``"changed"`` (the copier-style report). A path that cannot be
    written is a ``ConfigError`` (exit 5) and leaves nothing behind.
    """
    try:
        old = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        old = None
    except IsADirectoryError as exc:
        raise _cannot_write(path, exc) from None
    if old == data:
        return "identical"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return "create" if old is None else "changed"


def deterministic_zip(files: Mapping[str, bytes]) -> bytes:
    """A zip of ``files`` (archive name -> bytes): sorted entries, fixed time, fixed mode, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so external_attr carries the mode below
            info.external_attr = (0o100000 | _FILE_MODE) << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()
