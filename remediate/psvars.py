"""Variables read but never assigned: a runtime error under ``Set-StrictMode``, found statically.

Every generated script pins ``Set-StrictMode -Version 2.0``, under which reading a variable that was never
set throws. A misspelt variable in a branch that a device rarely takes would only show there, as an
``error`` finding. This check is deliberately simple and order-insensitive: a variable read in a function
must be assigned somewhere in that function, in an enclosing function, or at script level (PowerShell's
dynamic scoping makes those visible), or be a parameter, a loop variable or an automatic variable.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter

from remediate import pwsh

AUTOMATIC = frozenset("""
    _ psitem true false null args input pscmdlet pscommandpath psscriptroot lastexitcode matches error
    erroractionpreference whatifpreference progresspreference verbosepreference debugpreference
    confirmpreference warningpreference informationpreference psboundparameters myinvocation host pid home
    pwd executioncontext this sender eventargs psversiontable ofs stacktrace foreach switch psculture
    psuiculture shellid nestedpromptlevel pshome event eventsubscriber psdebugcontext
""".split())
_SKIPPED_DRIVES = ("env", "function", "variable", "alias")
_SCOPES = ("script", "global", "local", "private", "using")


def _name(text: str) -> str | None:
    """Normalised variable name, or None for drive-qualified ones ($env:X) that StrictMode does not check."""
    name = text.lstrip("$@").strip("{}").lower()
    if ":" in name:
        scope, rest = name.split(":", 1)
        if scope in _SKIPPED_DRIVES:
            return None
        if scope in _SCOPES:
            name = rest
    return name


def _is_assigned(var: tree_sitter.Node) -> bool:
    parent = var.parent
    if parent is None:
        return False
    if parent.type in ("foreach_statement", "script_parameter"):
        return True
    while parent is not None and parent.type not in ("left_assignment_expression", "statement_list",
                                                      "script_block", "pipeline"):
        parent = parent.parent
    return parent is not None and parent.type == "left_assignment_expression"


def _key(node: tree_sitter.Node | None) -> tuple[int, int] | None:
    return None if node is None else (node.start_byte, node.end_byte)


def unassigned_reads(tree: tree_sitter.Tree, src: bytes) -> Iterator[tuple[int, int, str]]:
    """(line, col, message) for each variable read that no visible scope assigns."""
    assigned: dict[tuple[int, int] | None, set[str]] = {}
    reads: list[tuple[tree_sitter.Node, str]] = []
    for var in pwsh.iter_nodes(tree, "variable"):
        name = _name(pwsh.node_text(var, src))
        if name is None or name in AUTOMATIC:
            continue
        if _is_assigned(var):
            assigned.setdefault(_key(pwsh.enclosing_function(var)), set()).add(name)
        else:
            reads.append((var, name))
    script_level = assigned.get(None, set())
    reported: set[tuple[tuple[int, int] | None, str]] = set()
    for var, name in reads:
        visible = set(script_level)
        func = pwsh.enclosing_function(var)
        while func is not None:
            visible |= assigned.get(_key(func), set())
            func = pwsh.enclosing_function(func)
        where = (_key(pwsh.enclosing_function(var)), name)
        if name not in visible and where not in reported:
            reported.add(where)
            yield var.start_point[0] + 1, var.start_point[1] + 1, f"${name} is read but never assigned"


def names_in(source: str) -> frozenset[str]:
    """Lower-case names of every variable ``source`` mentions (read or assigned; comments and strings don't
    count): what a check fragment needs from its function's signature."""
    data = source.encode("utf-8")
    return frozenset(name for var in pwsh.iter_nodes(pwsh.parse(data), "variable")
                     if (name := _name(pwsh.node_text(var, data))) is not None)
