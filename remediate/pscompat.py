"""Does what a script calls exist in Windows PowerShell 5.1 and .NET Framework 4.7.2?

PowerShell 7 on Linux runs the scripts in the tests, but it has commands, parameters, type accelerators and
.NET APIs that Windows PowerShell 5.1 on .NET Framework lacks, so a script can pass every test and still fail
on the devices it is for. This module checks the syntax tree against the facts in ``ps51`` and yields
``(kind, line, col, detail)`` findings; ``lint.py`` maps the kinds to rule ids. It only reports what it can
prove from the text: a splatted call, a computed type name or an argument list held in a variable is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter

from remediate import pwsh
from remediate.ps51 import NOT_LOADED, Table, TypeName

# Finding kinds, one rule each (lint.py).
COMMAND, PARAMETER, TYPE, MEMBER, ASSEMBLY = "command", "parameter", "type", "member", "assembly"
Finding = tuple[str, int, int, str]

_VERB_NOUN = re.compile(r"^[a-z]+-[a-z0-9]+$", re.IGNORECASE)


@dataclass(frozen=True)
class _Ctx:
    data: bytes
    table: Table
    functions: frozenset[str]
    namespaces: tuple[str, ...]
    loaded: tuple[tuple[int, str], ...]  # (byte offset, assembly name) of each Add-Type -AssemblyName
    winrt: tuple[tuple[int, str], ...] = ()  # (byte offset, namespace) of each WinRT type loaded by its literal


NODE_TYPES = ("command", "type_literal", "function_statement", "redirection")
Nodes = dict[str, list[tree_sitter.Node]]  # pwsh.collect(tree, NODE_TYPES), shared with pstraps


def _text(node: tree_sitter.Node, data: bytes) -> str:
    return pwsh.node_text(node, data)


def _at(node: tree_sitter.Node) -> tuple[int, int]:
    return node.start_point[0] + 1, node.start_point[1] + 1


def command_name(command: tree_sitter.Node, data: bytes) -> str | None:
    """The name a command invokes as written (module qualifier dropped), or None when it is computed."""
    name = next((c for c in command.named_children if c.type == "command_name"), None)
    return None if name is None else _text(name, data).rsplit("\\", 1)[-1]


def elements(command: tree_sitter.Node) -> list[tree_sitter.Node]:
    """A command's parameters and arguments, separators dropped."""
    node = next((c for c in command.named_children if c.type == "command_elements"), None)
    return [] if node is None else [c for c in node.named_children
                                    if c.type not in ("command_argument_sep", "redirection")]


def word(node: tree_sitter.Node, data: bytes) -> str | None:
    """Constant value of a bare word or an uninterpolated string argument, else None."""
    text = _text(node, data)
    if node.type == "generic_token":
        return text
    while node.type != "string_literal" and node.named_child_count == 1:
        node = node.named_children[0]
    if node.type == "string_literal" and node.named_child_count == 1:
        inner = node.named_children[0]
        if inner.type == "verbatim_string_characters":
            return pwsh.string_literal_value(inner, data)
        if inner.type == "expandable_string_literal" and inner.named_child_count == 0 and "$" not in text:
            return _text(inner, data)[1:-1]
    return None


def bind(command: tree_sitter.Node, data: bytes) -> tuple[dict[str, list[tree_sitter.Node]], list[tree_sitter.Node]]:
    """Named arguments by the parameter as written (lower-case, no dash) and the positional ones.

    A parameter takes the next element as its value unless it is written ``-Name:value`` or the next element is
    itself a parameter, so a switch followed by a positional argument would take it: callers use this only for
    value parameters (-TypeName, -ArgumentList, -AssemblyName) and count positionals only where that is safe.
    """
    named: dict[str, list[tree_sitter.Node]] = {}
    positional: list[tree_sitter.Node] = []
    items = elements(command)
    i = 0
    while i < len(items):
        item = items[i]
        if item.type != "command_parameter":
            if not _text(item, data).startswith("@"):  # splatting binds by name: not positional
                positional.append(item)
            i += 1
            continue
        raw = _text(item, data)
        name = raw.lstrip("-").rstrip(":").lower()
        nxt = items[i + 1] if i + 1 < len(items) else None
        if raw.endswith(":") or (nxt is not None and _text(nxt, data) == ":"):
            named[name] = [nxt] if nxt is not None else []
            i += 2
        elif nxt is not None and nxt.type != "command_parameter":
            named[name] = [nxt]
            i += 2
        else:
            named[name] = []
            i += 1
    return named, positional


# --- commands and parameters ------------------------------------------------------------------------------


def _check_command(ctx: _Ctx, command: tree_sitter.Node) -> Iterator[Finding]:
    name = command_name(command, ctx.data)
    if name is None or name.lower() in ctx.functions or not _VERB_NOUN.match(name):
        return  # computed, script-defined, or a native program (dsregcmd.exe, w32tm): not in the profile
    spec = ctx.table.command(name)
    if spec is None:
        yield COMMAND, *_at(command), name
        return
    for item in elements(command):
        if item.type != "command_parameter":
            continue
        given = _text(item, ctx.data).lstrip("-").rstrip(":")
        if not given:
            continue
        found, candidates = spec.resolve(given)
        if found is None and candidates:
            yield PARAMETER, *_at(item), f"{name} -{given} is ambiguous: " + ", ".join(f"-{c}" for c in candidates)
        elif found is None:
            yield PARAMETER, *_at(item), f"{name} has no parameter -{given} in 5.1"


# --- .NET types and members -------------------------------------------------------------------------------


def _resolve(ctx: _Ctx, spelling: str, node: tree_sitter.Node) -> Iterator[Finding | TypeName]:
    """Yield TYPE findings for unknown names in a spelling, then the resolution itself."""
    resolved = ctx.table.resolve_type(spelling, ctx.namespaces)
    for name in resolved.unknown:
        yield TYPE, *_at(node), f"[{name}]"
    yield resolved


def _literal_spelling(literal: tree_sitter.Node, data: bytes) -> bytes:
    """The type spec of a literal with its assembly qualifier, if any: 'T, Assembly, ContentType = ...'."""
    parts = [c for c in literal.named_children if c.type in ("type_spec", "assembly_qualifier")]
    return b"".join(data[c.start_byte:c.end_byte] for c in parts)


def _winrt(ctx: _Ctx, spelling: str, node: tree_sitter.Node) -> bool:
    """A Windows Runtime type: loaded by its own literal ``[T, Assembly, ContentType = WindowsRuntime]`` (5.1's
    way to reach WinRT, e.g. toast notifications), or named after such a load in the same namespace. The
    .NET Framework table cannot know these types; 5.1 resolves them at run time from the WinRT metadata."""
    if any(offset == node.start_byte for offset, _ in ctx.winrt):
        return True
    name = spelling.strip().lower()
    return any(offset < node.start_byte and name.startswith(ns.lower() + ".") for offset, ns in ctx.winrt)


def _type_use(ctx: _Ctx, spelling: str, node: tree_sitter.Node) -> tuple[list[Finding], str | None]:
    findings: list[Finding] = []
    if _winrt(ctx, spelling, node):
        return findings, None
    key = None
    for item in _resolve(ctx, spelling, node):
        if isinstance(item, TypeName):
            key = item.key
        else:
            findings.append(item)
    if key is not None:
        findings.extend(_check_loaded(ctx, key, node))
    return findings, key


def _check_loaded(ctx: _Ctx, key: str, node: tree_sitter.Node) -> Iterator[Finding]:
    info = ctx.table.type_info(key)
    if info is None or info.assembly not in NOT_LOADED:
        return
    if not any(offset < node.start_byte and name.lower() == info.assembly.lower() for offset, name in ctx.loaded):
        yield ASSEMBLY, *_at(node), f"{info.assembly} (for {key}): Add-Type -AssemblyName {info.assembly} first"


def _is_ordered_hashtable(literal: tree_sitter.Node, data: bytes) -> bool:
    parent = literal.parent
    if _text(literal, data).lower() != "[ordered]" or parent is None or parent.type != "cast_expression":
        return False
    operand = parent.named_children[-1]
    return _text(operand, data).lstrip().startswith("@{")


def _check_type_literal(ctx: _Ctx, literal: tree_sitter.Node) -> Iterator[Finding]:
    if _is_ordered_hashtable(literal, ctx.data):
        return
    spec = next((c for c in literal.named_children if c.type == "type_spec"), None)
    if spec is None:
        return
    findings, key = _type_use(ctx, _text(spec, ctx.data), literal)
    yield from findings
    if key is not None:
        yield from _check_static_access(ctx, literal, key)


def _static_member(literal: tree_sitter.Node, data: bytes) -> tuple[tree_sitter.Node, str] | None:
    """The member node and its name when ``literal`` is the object of ``[T]::Name``."""
    parent = literal.parent
    if parent is None or parent.type not in ("member_access", "invocation_expression"):
        return None
    if parent.named_children[0] != literal or "::" not in {c.type for c in parent.children if not c.is_named}:
        return None
    member = next((c for c in parent.named_children if c.type == "member_name"), None)
    if member is None or member.named_child_count != 1 or member.named_children[0].type != "simple_name":
        return None  # [T]::$name or [T]::('x'): computed
    return parent, _text(member, data)


def _call_arity(call: tree_sitter.Node) -> int | None:
    if call.type != "invocation_expression":
        return None
    args = next((c for c in call.named_children if c.type == "argument_list"), None)
    if args is None:
        return None
    exprs = next((c for c in args.named_children if c.type == "argument_expression_list"), None)
    return 0 if exprs is None else sum(1 for c in exprs.named_children if c.type == "argument_expression")


def _check_static_access(ctx: _Ctx, literal: tree_sitter.Node, key: str) -> Iterator[Finding]:
    found = _static_member(literal, ctx.data)
    if found is None:
        return
    access, member = found
    if member.lower() == "new":
        arity = _call_arity(access)
        if arity is not None:
            yield from _check_arity(ctx, key, arity, access)
        return
    if ctx.table.has_static(key, member) is False:
        yield MEMBER, *_at(access), f"[{key}]::{member} is not a public static member in .NET Framework 4.7.2"


def _check_arity(ctx: _Ctx, key: str, arity: int, node: tree_sitter.Node) -> Iterator[Finding]:
    info = ctx.table.type_info(key)
    if info is None:
        return
    if not any(low <= arity and (high is None or arity <= high) for low, high in info.ctors):
        shapes = ", ".join(f"{lo}" if lo == hi else f"{lo}..{'' if hi is None else hi}" for lo, hi in info.ctors)
        yield MEMBER, *_at(node), (f"no public constructor of {key} takes {arity} argument(s)"
                                   f" (4.7.2 has: {shapes or 'none'})")


def _new_object_arity(named: dict[str, list[tree_sitter.Node]], positional: list[tree_sitter.Node],
                      data: bytes) -> int | None:
    """How many constructor arguments New-Object passes, when the text says so for certain."""
    args = named.get("argumentlist")
    if args is None and len(positional) > 1:
        args = positional[1:2]
    if args is None:
        return 0
    if not args:
        return None
    node = args[0]
    while node.type in ("unary_expression", "argument_list") and node.named_child_count == 1 \
            and node.type != "array_expression":
        node = node.named_children[0]
    if node.type == "argument_expression_list":
        return sum(1 for c in node.named_children if c.type == "argument_expression")
    if node.type == "array_expression":
        body = node.named_children[0] if node.named_child_count else None
        pipelines = [] if body is None else [c for c in body.named_children if c.type == "pipeline"]
        if body is None:
            return 0
        if len(pipelines) == 1:
            inner = pipelines[0].named_children[0].named_children[0] if pipelines[0].named_child_count else None
            if inner is not None and inner.type == "array_literal_expression":
                return sum(1 for c in inner.named_children if c.type == "unary_expression")
        return None
    if node.type == "array_literal_expression":
        return sum(1 for c in node.named_children if c.type == "unary_expression")
    return None  # a variable or expression may hold an array that New-Object spreads: not provable


def _check_new_object(ctx: _Ctx, command: tree_sitter.Node) -> Iterator[Finding]:
    name = command_name(command, ctx.data)
    if name is None or name.lower() != "new-object":
        return
    named, positional = bind(command, ctx.data)
    named = _named(ctx.table, "new-object", named)
    if "comobject" in named:
        return
    type_arg = named.get("typename")
    node = type_arg[0] if type_arg else (positional[0] if positional else None)
    spelling = None if node is None else word(node, ctx.data)
    if spelling is None:
        return
    findings, key = _type_use(ctx, spelling, node)
    yield from findings
    if key is not None:
        arity = _new_object_arity(named, positional, ctx.data)
        if arity is not None:
            yield from _check_arity(ctx, key, arity, command)


# --- driver -------------------------------------------------------------------------------------------------


def named_args(table: Table, name: str, command: tree_sitter.Node, data: bytes) \
        -> tuple[dict[str, list[tree_sitter.Node]], list[tree_sitter.Node]]:
    """``bind`` with each name replaced by the 5.1 parameter it binds to (prefixes and aliases resolved)."""
    named, positional = bind(command, data)
    return _named(table, name, named), positional


def _named(ctx_table: Table, command_name_: str, named: dict[str, list]) -> dict[str, list]:
    spec = ctx_table.command(command_name_)
    out: dict[str, list] = {}
    for given, values in named.items():
        found = spec.resolve(given)[0] if spec is not None else None
        out[found or given] = values
    return out


def _loaded_assemblies(nodes: Nodes, data: bytes, table: Table) -> tuple[tuple[int, str], ...]:
    loaded = []
    for command in nodes["command"]:
        if (command_name(command, data) or "").lower() != "add-type":
            continue
        values = _named(table, "add-type", bind(command, data)[0]).get("assemblyname") or []
        for node in values:
            parts = node.named_children if node.type == "array_literal_expression" else [node]
            for part in parts:
                value = word(part, data)
                if value:
                    loaded.append((command.end_byte, value.strip()))
    return tuple(loaded)


_USING = re.compile(rb"(?im)^[ \t]*using[ \t]+namespace[ \t]+([\w.]+)")
_WINRT_LOAD = re.compile(rb"\s*([\w.]+)\.\w+\s*,\s*[\w.]+\s*,\s*ContentType\s*=\s*WindowsRuntime\s*", re.I)


def _context(nodes: Nodes, data: bytes, table: Table) -> _Ctx:
    functions = frozenset(_text(n, data).lower() for f in nodes["function_statement"]
                          for n in f.named_children if n.type == "function_name")
    namespaces = tuple(m.group(1).decode() for m in _USING.finditer(data))
    winrt = tuple((literal.start_byte, m.group(1).decode()) for literal in nodes["type_literal"]
                  for m in [_WINRT_LOAD.fullmatch(_literal_spelling(literal, data))] if m)
    return _Ctx(data, table, functions, namespaces, _loaded_assemblies(nodes, data, table), winrt)


def check(nodes: Nodes, data: bytes, table: Table) -> Iterator[Finding]:
    """Every 5.1 / 4.7.2 compatibility finding in one parsed script (``nodes``: see NODE_TYPES)."""
    ctx = _context(nodes, data, table)
    for command in nodes["command"]:
        yield from _check_command(ctx, command)
        yield from _check_new_object(ctx, command)
    for literal in nodes["type_literal"]:
        yield from _check_type_literal(ctx, literal)
