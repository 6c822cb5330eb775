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


# -- the package's own import picture ----------------------------------------------------------------------
# Parts of the package and who may import whom: the CLI on top; building, running, delivering and linting side
# by side (none imports another); the shared core at the bottom. docs/architecture.md draws the same picture.
PARTS = {
    "cli": ("remediate.cli",),
    "build": ("remediate.render", "remediate.generate", "remediate.prune", "remediate.psliteral", "remediate.docs"),
    "run": ("remediate.fleet", "remediate.fleetpool", "remediate.hostrun", "remediate.resultsfile",
            "remediate.stopsignals", "remediate.inventory", "remediate.runners", "remediate.hosts",
            "remediate.ansible_inventory", "remediate.hostpattern", "remediate.targets", "remediate.undo",
            "remediate.collect"),
    "deliver": ("remediate.intune",),
    "lint": ("remediate.lint", "remediate.pscalls", "remediate.psvars", "remediate.pscompat", "remediate.pstraps",
             "remediate.ps51", "remediate.pssa"),
    # A preflight looks at every side (transport, Graph, signing): it sits between the CLI and them.
    "admin": ("remediate.doctor",),
}
MAY_IMPORT = {"cli": {"admin", "build", "run", "deliver", "lint", "core"}, "admin": {"run", "deliver", "core"}, "build": {"core"}, "run": {"core"},
              "deliver": {"core"}, "lint": {"core"}, "core": set()}
MAX_LAYERS = 6


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports anywhere (deferred and type-checking imports count too)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                             for a in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def part_of(module: str) -> str:
    for part, prefixes in PARTS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return part
    return "core"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layers(graph: dict[str, set[str]]) -> dict[str, int]:
    """Each module's layer: 1 for a module importing no package module, else one above its highest import."""
    memo: dict[str, int] = {}

    def layer(v: str) -> int:
        if v not in memo:
            memo[v] = 0  # a cycle would recurse forever; test_no_import_cycles names it
            memo[v] = 1 + max((layer(w) for w in graph[v]), default=0)
        return memo[v]

    return {v: layer(v) for v in graph}


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_at_most_six_layers():
    graph = import_graph()
    assert cycles(graph) == []
    depth = layers(graph)
    assert max(depth.values()) <= MAX_LAYERS, sorted(depth.items(), key=lambda kv: -kv[1])[:8]


def test_parts_import_only_downwards():
    wrong = sorted(f"{m} ({part_of(m)}) imports {d} ({part_of(d)})"
                   for m, deps in import_graph().items() for d in deps
                   if part_of(d) != part_of(m) and part_of(d) not in MAY_IMPORT[part_of(m)])
    assert wrong == []


def test_the_runner_base_names_no_concrete_runner():
    graph = import_graph()
    assert graph["remediate.runners.base"] <= {"remediate.errors"}
    concrete = {"remediate.runners.psrp", "remediate.runners.winrm", "remediate.runners.local"}
    assert concrete <= graph["remediate.runners"]


def test_no_importlib_proxies_in_the_cli():
    text = (PACKAGE / "cli.py").read_text(encoding="utf-8")
    assert "importlib" not in text


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert cycles(graph) == expected
