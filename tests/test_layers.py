"""Dependency direction is visible in the tree (STYLE.md habit 1): a test holds it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "remediate"

# third-party module -> the only modules allowed to import it
ALLOWED = {
    "click": {"cli.py"},
    "pypsrp": {"runners/psrp.py"},
    "winrm": {"runners/winrm.py"},
    "psrpcore": set(),
    "spnego": {"runners/psrp.py", "runners/winrm.py", "runners/ntlm.py"},  # its errors; NTLM hashes once
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_third_party_layer_imports(module):
    offenders = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if module in _imports(path) and path.relative_to(PACKAGE).as_posix() not in ALLOWED[module]
    )
    assert offenders == [], f"{module} imported outside {sorted(ALLOWED[module])}: {offenders}"


def test_modules_stay_reviewable():
    too_long = sorted(
        (path.relative_to(PACKAGE).as_posix(), n)
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600 and path.name != "cli.py"
    )
    assert too_long == []
