"""Static call checking for the functions a script defines itself.

Without a PowerShell engine here, a misspelt parameter or a forgotten mandatory one would only show on a
device, and a missing mandatory parameter is worse than an error there: PowerShell *prompts* for it, and
Intune starts scripts without -NonInteractive, so the prompt hangs the device's remediation queue
(DOMAIN.md section 5). This module resolves every call to a script-defined function and checks it:
the function exists once, every parameter named exists, every mandatory one is given, and arguments are
passed by name (our style, and what makes the check possible).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter

from remediate import pwsh

# Common parameters of advanced functions ([CmdletBinding()]); -WhatIf/-Confirm only with SupportsShouldProcess.
COMMON = {"verbose", "debug", "erroraction", "warningaction", "informationaction", "errorvariable",
          "warningvariable", "informationvariable", "outvariable", "outbuffer", "pipelinevariable"}
SHOULD_PROCESS = {"whatif", "confirm"}
RM_FUNCTION = re.compile(r"^[a-z]+-rm[a-z0-9]+$", re.IGNORECASE)


@dataclass
class Signature:
    name: str
    line: int
    params: dict[str, bool] = field(default_factory=dict)  # lower-case name -> mandatory
    switches: set[str] = field(default_factory=set)
    advanced: bool = False
    should_process: bool = False


def _text(node: tree_sitter.Node, src: bytes) -> str:
    return pwsh.node_text(node, src)


def _signature(func: tree_sitter.Node, src: bytes) -> Signature:
    name_node = next(c for c in func.named_children if c.type == "function_name")
    sig = Signature(_text(name_node, src), func.start_point[0] + 1)
    for block in pwsh.iter_nodes(func, "param_block"):
        if pwsh.enclosing_function(block) != func:
            continue
        for attr in (c for c in block.named_children if c.type == "attribute_list"):
            text = _text(attr, src).lower()
            sig.advanced = sig.advanced or "cmdletbinding" in text
            sig.should_process = sig.should_process or "supportsshouldprocess" in text
        for param in pwsh.iter_nodes(block, "script_parameter"):
            var = next(c for c in param.named_children if c.type == "variable")
            pname = _text(var, src).lstrip("$").lower()
            attrs = _text(param, src).lower().replace(" ", "")
            sig.params[pname] = "mandatory=$true" in attrs or "mandatory)" in attrs
            if "[switch]" in attrs:
                sig.switches.add(pname)
            sig.advanced = sig.advanced or "[parameter(" in attrs
    return sig


def signatures(tree: tree_sitter.Tree, src: bytes) -> tuple[dict[str, Signature], list[str]]:
    """Script-defined functions by lower-case name, and problems (functions defined twice)."""
    found: dict[str, Signature] = {}
    problems = []
    for func in pwsh.iter_nodes(tree, "function_statement"):
        sig = _signature(func, src)
        key = sig.name.lower()
        if key in found:
            problems.append(f"{sig.line}:1: function {sig.name} is defined twice (also line {found[key].line})")
        found[key] = sig
    return found, problems


def _call_problems(command: tree_sitter.Node, sig: Signature, src: bytes) -> Iterator[str]:
    elements = next((c for c in command.named_children if c.type == "command_elements"), None)
    items = [] if elements is None else [c for c in elements.named_children if c.type != "command_argument_sep"]
    given: set[str] = set()
    allowed = set(sig.params)
    if sig.advanced:
        allowed |= COMMON
    if sig.should_process:
        allowed |= SHOULD_PROCESS
    i = 0
    while i < len(items):
        item = items[i]
        if item.type != "command_parameter":
            yield f"positional argument {_text(item, src)[:30]!r} (pass arguments by name)"
            i += 1
            continue
        raw = _text(item, src)
        pname = raw.lstrip("-").rstrip(":").lower()
        if pname not in allowed:
            yield f"unknown parameter -{pname}"
        given.add(pname)
        takes_value = (pname in sig.params and pname not in sig.switches) or pname in COMMON - {"verbose", "debug"}
        colon = raw.endswith(":") or (item.next_sibling is not None and _text(item.next_sibling, src) == ":")
        i += 2 if (takes_value or colon) else 1
    for pname, mandatory in sorted(sig.params.items()):
        if mandatory and pname not in given:
            yield f"mandatory parameter -{pname} missing (PowerShell would prompt and hang the run)"


def check_calls(tree: tree_sitter.Tree, src: bytes) -> Iterator[tuple[int, int, str]]:
    """(line, col, message) for every bad call to a script-defined (or Verb-Rm*) function."""
    sigs, problems = signatures(tree, src)
    for problem in problems:
        line, col, message = problem.split(":", 2)
        yield int(line), int(col), message.strip()
    for command in pwsh.iter_nodes(tree, "command"):
        name_node = next((c for c in command.named_children if c.type == "command_name"), None)
        if name_node is None:
            continue
        name = _text(name_node, src)
        line, col = command.start_point[0] + 1, command.start_point[1] + 1
        sig = sigs.get(name.lower())
        if sig is None:
            if RM_FUNCTION.match(name):
                yield line, col, f"{name} is called but not defined in this script"
            continue
        for message in _call_problems(command, sig, src):
            yield line, col, f"{sig.name}: {message}"
