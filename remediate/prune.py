"""Inline only the runtime functions a script can reach.

Every delivered script is one self-contained file, so the renderer inlines the shared runtime. A detection
script never quarantines a file or takes the mutex, and a package without registry checks never writes the
registry: keeping only the functions reachable from the script's own code keeps each script small (Intune's
limit is 200,000 bytes) and easier to review. Reachability is computed on the real syntax tree:
a function is kept when a kept piece of code calls it by name. Check functions are called dynamically
(``& $Check.Detect``) by the names in the rendered descriptors, so those names are roots too.
"""

from __future__ import annotations

import re

import tree_sitter

from remediate import pwsh


def _functions(tree: tree_sitter.Tree, src: bytes) -> dict[str, tree_sitter.Node]:
    found: dict[str, tree_sitter.Node] = {}
    for node in pwsh.iter_nodes(tree, "function_statement"):
        name = next(c for c in node.named_children if c.type == "function_name")
        found[pwsh.node_text(name, src).lower()] = node
    return found


def _called(node: tree_sitter.Node, src: bytes) -> set[str]:
    names = set()
    for command in pwsh.iter_nodes(node, "command"):
        name = next((c for c in command.named_children if c.type == "command_name"), None)
        if name is not None:
            names.add(pwsh.node_text(name, src).lower())
    return names


def reachable(runtime: str, script: str) -> set[str]:
    """Lower-case names of the runtime functions reachable from ``script`` (the rest of the file)."""
    rt_src = runtime.encode("ascii")
    rt_tree = pwsh.parse(rt_src)
    functions = _functions(rt_tree, rt_src)
    sc_src = script.encode("ascii")
    pending = _called(pwsh.parse(sc_src).root_node, sc_src)
    pending |= {n.lower() for n in re.findall(r"'(?:Detect|Repair)' = '([A-Za-z0-9-]+)'", script)}
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        pending |= _called(functions[name], rt_src)
    return seen


def prune(runtime: str, script: str) -> str:
    """``runtime`` without the functions ``script`` cannot reach. Text outside functions is kept as is."""
    keep = reachable(runtime, script)
    src = runtime.encode("ascii")
    tree = pwsh.parse(src)
    cuts = []
    for name, node in _functions(tree, src).items():
        if name not in keep:
            end = node.end_byte
            while end < len(src) and src[end:end + 1] in (b"\r", b"\n"):
                end += 1
            cuts.append((node.start_byte, end))
    out = bytearray()
    last = 0
    for start, end in sorted(cuts):
        out += src[last:start]
        last = end
    out += src[last:]
    return out.decode("ascii")


def strip_comments(script: str) -> str:
    """``script`` without its comments (comment-based help included), found on the syntax tree, so that a '#'
    inside a string stays. For scripts delivered compressed (the N-sight loader): nobody reads them as text,
    and the comments are a quarter of the bytes. Lines left empty are dropped."""
    src = script.encode("ascii")
    cuts = [(n.start_byte, n.end_byte) for n in pwsh.iter_nodes(pwsh.parse(src), "comment")]
    out = bytearray(src)
    for start, end in sorted(cuts, reverse=True):
        del out[start:end]
    lines = out.decode("ascii").replace("\r\n", "\n").split("\n")
    return "\r\n".join(line.rstrip() for line in lines if line.strip()) + "\r\n"
