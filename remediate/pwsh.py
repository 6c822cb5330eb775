"""Thin wrapper around the tree-sitter-pwsh grammar: the only module that builds a parser.

There is no PowerShell engine on Linux (DOMAIN.md section 8), so every static check on generated scripts goes
through this parser. Known quirks of tree-sitter-pwsh 0.38, each pinned by a test in tests/test_lint.py:

1. ``try { }`` with neither ``catch`` nor ``finally`` parses cleanly (PowerShell 5.1 rejects it): the linter
   checks ``try_statement`` children itself.
2. Several switch clauses on one line (``switch ($a) { 1 { 'a' } 2 { 'b' } }``) are flagged as an error
   although PowerShell accepts them: generated code puts one clause per line.
3. ``?.`` and ``?[`` (PowerShell 7 null-conditional access) do not parse at all: they come out as an ERROR
   node holding an anonymous ``?`` token, never as a dedicated node type. Ternary ``a ? b : c``, ``??``,
   ``??=``, ``&&`` and ``||`` on the other hand parse cleanly (``ternary_expression``,
   ``null_coalesce_expression``, ``assignment_operator`` ``??=``, ``pipeline_chain_tail``), so PowerShell 7
   syntax must be rejected by a lint rule, not by the parse verdict.
4. Typographic single quotes (U+2018..U+201B), which PowerShell treats as ``'``, are not string delimiters for
   the grammar: ``$a = \u2018x\u2019`` parses as a *command* named ``\u2018x\u2019``. The ASCII-only rule
   keeps them out of generated scripts; ``string_literal_value`` still decodes them inside a literal. An
   ASCII quote followed by a typographic one (``'a'\u2018b'``, one string to PowerShell) ends the literal.
5. The range in a foreach header, ``foreach ($i in 1..3)``, is parsed as a command whose ``command_name`` is
   ``1..3``: command-name rules must not assume a command_name is a real command.
6. A MISSING node is zero-width and may hide from a child walk (DOMAIN.md section 8): ``deepest_error``
   follows ``has_error`` instead, which every ancestor of an ERROR or MISSING node carries.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import tree_sitter
import tree_sitter_pwsh

# PowerShell's tokenizer treats all of these as a single quote (SpecialChars.IsSingleQuote).
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_pwsh.language()))


def parse(source: bytes) -> tree_sitter.Tree:
    """Parse PowerShell source bytes (the parser object is built once and reused)."""
    return _parser().parse(source)


def _is_faulty(node: tree_sitter.Node) -> bool:
    return node.has_error or node.is_missing or node.type == "ERROR"


def deepest_error(tree: tree_sitter.Tree) -> tuple[int, int] | None:
    """1-based (line, col) of the deepest faulty node on the path to the first error, or None if clean.

    Descending through the first faulty child at each level lands on the innermost node of the first error,
    which is where a human should look; the root alone would always say 1:1.
    """
    node = tree.root_node
    if not _is_faulty(node):
        return None
    while True:
        child = next((c for c in node.children if _is_faulty(c)), None)
        if child is None:
            break
        node = child
    row, column = node.start_point
    return row + 1, column + 1


def iter_nodes(tree: tree_sitter.Tree | tree_sitter.Node, type_name: str) -> Iterator[tree_sitter.Node]:
    """Yield every node of ``type_name`` in document order (iterative: deep scripts must not hit recursion)."""
    root = tree.root_node if isinstance(tree, tree_sitter.Tree) else tree
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == type_name:
            yield node
        stack.extend(reversed(node.children))


def collect(tree: tree_sitter.Tree, type_names: tuple[str, ...]) -> dict[str, list[tree_sitter.Node]]:
    """Every node of each type in ``type_names``, in document order, from one walk (a walk costs more than
    the checks that read its result, so checks that need several node types share one)."""
    found: dict[str, list[tree_sitter.Node]] = {name: [] for name in type_names}
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in found:
            found[node.type].append(node)
        stack.extend(reversed(node.children))
    return found


def node_text(node: tree_sitter.Node, source: bytes) -> str:
    """Source text of a node (latin-1 keeps every byte, so offsets survive non-UTF-8 input)."""
    return source[node.start_byte:node.end_byte].decode("latin-1")


def string_literal_value(node: tree_sitter.Node, source: bytes) -> str:
    """Value of a verbatim (single-quoted) string or here-string node.

    Accepts the ``string_literal`` wrapper or its ``verbatim_string_characters`` /
    ``verbatim_here_string_characters`` child. Decoded as UTF-8 so typographic quotes come through.
    """
    if node.type == "string_literal" and node.named_child_count == 1:
        node = node.named_children[0]
    text = source[node.start_byte:node.end_byte].decode("utf-8", errors="replace")
    if node.type == "verbatim_here_string_characters":
        return _here_string_body(text)
    if node.type != "verbatim_string_characters":
        raise ValueError(f"not a verbatim string literal: {node.type}")
    return _undouble_quotes(text[1:-1])


def _here_string_body(text: str) -> str:
    # @'<newline>body<newline>'@ : the newlines next to the delimiters belong to the syntax, not the value.
    body = text[2:-2]
    body = body[2:] if body.startswith("\r\n") else body[1:]
    if body.endswith("\r\n"):
        return body[:-2]
    return body[:-1] if body.endswith(("\n", "\r")) else body


def _undouble_quotes(inner: str) -> str:
    # Inside '...', any two quote characters in a row stand for one: PowerShell keeps the second.
    out: list[str] = []
    i = 0
    while i < len(inner):
        if inner[i] in SINGLE_QUOTES and i + 1 < len(inner) and inner[i + 1] in SINGLE_QUOTES:
            i += 1
        out.append(inner[i])
        i += 1
    return "".join(out)


def enclosing_function(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The ``function_statement`` that holds ``node``, or None at script scope."""
    parent = node.parent
    while parent is not None and parent.type != "function_statement":
        parent = parent.parent
    return parent


def variable_names(source: bytes) -> frozenset[str]:
    """Lower-case names of every variable ``source`` mentions, read or assigned, without a scope prefix
    (``$script:X`` is ``x``; comments and strings do not count): what a check fragment needs from the
    function around it."""
    names = set()
    for var in iter_nodes(parse(source), "variable"):
        name = node_text(var, source).lstrip("$@").strip("{}").lower()
        names.add(name.split(":", 1)[1] if name.split(":", 1)[0] in ("script", "global", "local", "private")
                  else name)
    return frozenset(names)
