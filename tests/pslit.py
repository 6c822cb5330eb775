"""Evaluate the PowerShell literal expressions our renderer emits, through the real parser.

Only the node kinds that ps_str/ps_value may produce are understood; anything else (a variable, a
subexpression, a command) raises, which is exactly what the escaping tests want to rule out.
"""

from __future__ import annotations

from remediate import pwsh

_WRAPPERS = {"unary_expression", "parenthesized_expression", "pipeline", "pipeline_chain", "assignment_value",
             "expression_with_unary_operator"}


def _units(node, src: bytes) -> list[int]:
    """The value as UTF-16 code units ([char] casts are code units, so surrogate pairs join later)."""
    if node.type == "string_literal":
        text = pwsh.string_literal_value(node, src)
        data = text.encode("utf-16-le")
        return [int.from_bytes(data[i:i + 2], "little") for i in range(0, len(data), 2)]
    if node.type == "additive_expression":
        out: list[int] = []
        for child in node.named_children:
            out += _units(child, src)
        if any(c.type == "-" for c in node.children):
            raise ValueError("subtraction in a string expression")
        return out
    if node.type == "cast_expression":
        type_name = pwsh.node_text(node.named_children[0], src).lower()
        if type_name != "[char]":
            raise ValueError(f"unexpected cast {type_name}")
        return [int(pwsh.node_text(node.named_children[1], src), 16)]
    if node.type in _WRAPPERS and len(node.named_children) == 1:
        return _units(node.named_children[0], src)
    raise ValueError(f"unexpected node {node.type}: {pwsh.node_text(node, src)!r}")


def eval_assigned_string(script: bytes) -> str:
    """The value assigned by a one-line script ``$x = <expr>``."""
    tree = pwsh.parse(script)
    if tree.root_node.has_error:
        raise ValueError("parse error")
    values = list(pwsh.iter_nodes(tree, "assignment_value"))
    if len(values) != 1:
        raise ValueError("expected one assignment")
    units = _units(values[0], script)
    data = b"".join(u.to_bytes(2, "little") for u in units)
    return data.decode("utf-16-le", errors="surrogatepass")
