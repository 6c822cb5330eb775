"""Windows PowerShell 5.1 versus 7 traps that run fine in the tests (PowerShell 7) and differently on devices.

Each check is exact on the text: it fires only on the construct it names, never on a guess about values.
Sources are cited per check. Yields ``(kind, line, col, detail)``; ``lint.py`` maps kinds to rule ids.

Traps considered and left out because the text cannot show them without guessing: ``Move-Item`` of a directory
across volumes (whether the source is a directory is a run-time fact), ``.Count`` on a scalar under
StrictMode (needs types), ``ConvertTo-Json`` on a single-element array from the pipeline (needs values).
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter

from remediate import pwsh
from remediate.ps51 import Table
from remediate.pscompat import Finding, Nodes, command_name, named_args, word

ENCODING, JSON_DEPTH, JOIN_PATH = "encoding", "json_depth", "join_path"

# Cmdlets that write files and whose default encoding differs between 5.1 and 7. In 5.1, Out-File (and so the
# > / >> redirections) writes UTF-16LE with a BOM, Set-Content/Add-Content write the ANSI code page, Export-Csv
# writes ASCII, Export-Clixml UTF-16LE; PowerShell 7 writes BOM-less UTF-8 everywhere. Source:
# about_Character_Encoding, Windows PowerShell 5.1 and 7.4 versions (learn.microsoft.com, "Character encoding
# in Windows PowerShell" / "Changing the default encoding").
WRITERS = ("out-file", "set-content", "add-content", "export-csv", "export-clixml")

# -Encoding values 5.1 accepts: Out-File, Export-Csv and Export-Clixml validate a string set; Set-Content and
# Add-Content take FileSystemCmdletProviderEncoding (the same names plus String, Byte, Unknown, BigEndianUTF32).
# utf8NoBOM, utf8BOM, ansi and code page numbers are PowerShell 6+/7.4+ (same source); note that 5.1's UTF8
# writes a BOM.
ENCODINGS_51 = {
    "out-file": {"unicode", "utf7", "utf8", "utf32", "ascii", "bigendianunicode", "default", "oem"},
    "export-csv": {"unicode", "utf7", "utf8", "utf32", "ascii", "bigendianunicode", "default", "oem"},
    "export-clixml": {"unicode", "utf7", "utf8", "utf32", "ascii", "bigendianunicode", "default", "oem"},
    "set-content": {"unknown", "string", "unicode", "byte", "bigendianunicode", "bigendianutf32", "utf8", "utf7",
                    "utf32", "ascii", "default", "oem"},
}
ENCODINGS_51["add-content"] = ENCODINGS_51["set-content"]


def _check_writer(table: Table, name: str, command: tree_sitter.Node, data: bytes) -> Iterator[Finding]:
    named, _ = named_args(table, name, command, data)
    at = (command.start_point[0] + 1, command.start_point[1] + 1)
    if "encoding" not in named:
        yield ENCODING, *at, f"{name} without -Encoding (5.1 and 7 write different encodings by default)"
        return
    value = word(named["encoding"][0], data) if named["encoding"] else None
    if value is not None and value.lower() not in ENCODINGS_51[name]:
        yield ENCODING, *at, f"{name} -Encoding {value} does not exist in 5.1"


def _check_json(table: Table, command: tree_sitter.Node, data: bytes) -> Iterator[Finding]:
    """ConvertTo-Json's -Depth defaults to 2 and 5.1 truncates deeper levels to their ToString() silently;
    7.1+ at least warns. Source: ConvertTo-Json reference, 5.1 and 7.4 versions (parameter -Depth)."""
    named, _ = named_args(table, "convertto-json", command, data)
    if "depth" not in named:
        yield JSON_DEPTH, command.start_point[0] + 1, command.start_point[1] + 1, ""


def _check_join_path(table: Table, command: tree_sitter.Node, data: bytes) -> Iterator[Finding]:
    """5.1's Join-Path has two positional parameters (-Path, -ChildPath) and no -AdditionalChildPath; 7 binds
    extra positional segments to -AdditionalChildPath. Source: Join-Path reference, 5.1 and 7.4 versions.
    Join-Path's only switch, -Resolve, takes no value: every other element after a parameter is its value."""
    named, positional = named_args(table, "join-path", command, data)
    if "resolve" in named and named["resolve"]:
        positional = [*positional, *named["resolve"]]  # bind() gave the switch the next word
    segments = len(positional) + len({"path", "childpath"} & named.keys())
    if segments > 2:
        yield JOIN_PATH, command.start_point[0] + 1, command.start_point[1] + 1, f"{segments} segments"


def _check_redirection(node: tree_sitter.Node, data: bytes) -> Iterator[Finding]:
    operator = next((c for c in node.named_children if c.type == "file_redirection_operator"), None)
    target = next((c for c in node.named_children if c.type == "redirected_file_name"), None)
    if operator is None or target is None or pwsh.node_text(target, data).strip().lower() == "$null":
        return  # 2>&1 merges streams; > $null discards: no file is written
    yield ENCODING, node.start_point[0] + 1, node.start_point[1] + 1, \
        f"redirection '{pwsh.node_text(node, data).strip()}' writes with Out-File's default (UTF-16LE in 5.1)"


def check(nodes: Nodes, data: bytes, table: Table) -> Iterator[Finding]:
    """Every 5.1-versus-7 trap found in one parsed script (``nodes``: pscompat.NODE_TYPES)."""
    for command in nodes["command"]:
        name = (command_name(command, data) or "").lower()
        if name in WRITERS:
            yield from _check_writer(table, name, command, data)
        elif name == "convertto-json":
            yield from _check_json(table, command, data)
        elif name == "join-path":
            yield from _check_join_path(table, command, data)
    for node in nodes["redirection"]:
        yield from _check_redirection(node, data)
