"""Static linter for the Windows PowerShell 5.1 scripts we deliver as Intune Remediations.

Our rules need no PowerShell (DOMAIN.md section 8): each platform trap from DOMAIN.md section 5 that can be seen
in the text or the tree-sitter-pwsh syntax tree is one rule below. ``remediate lint`` also runs PSScriptAnalyzer
(remediate/pssa.py) when a PowerShell with the module is found; its findings come out in the same format with
its rule name as the code (docs/linting.md: which linter checks what). ``cli.py`` prints ``str(issue)`` per
issue and exits 1 when there is any.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import tree_sitter

from remediate import ps51, pscalls, pscompat, pssa, pstraps, psvars, pwsh
from remediate.errors import ConfigError, UsageError, did_you_mean
from remediate.limits import MAX_SCRIPT_BYTES, UTF8_BOM
from remediate.output import Result


@dataclass(frozen=True)
class Rule:
    """One lint rule: a stable id (``PS0nn``, never reused) and a message that names the platform trap."""

    id: str
    message: str


@dataclass(frozen=True)
class LintIssue:
    """One finding; ``str()`` is the compiler-style line ``path:line:col: RULE message`` (1-based)."""

    path: str
    line: int
    col: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.rule} {self.message}"


PARSE = Rule("PS001", "syntax error: tree-sitter-pwsh cannot parse this (Intune counts a parse error as"
                      " 'issue found')")
ASCII = Rule("PS002", "non-ASCII byte: PowerShell 5.1 reads a BOM-less file as ANSI and Intune output goes through"
                      " the OEM code page")
BOM = Rule("PS003", "UTF-8 BOM: Intune rejects it when the signature check is enforced; emit plain ASCII")
CRLF = Rule("PS004", "line ending is not CRLF: scripts are signed and compared byte for byte with CRLF endings")
SIZE = Rule("PS005", f"file larger than {MAX_SCRIPT_BYTES:,} bytes, the Intune portal limit")
PS7 = Rule("PS006", "PowerShell 7-only syntax: a parse error in Windows PowerShell 5.1")
COMMAND = Rule("PS007", "forbidden command: it prompts, writes to the host or stderr, or runs arbitrary code")
ALIAS = Rule("PS008", "alias used as a command: spell out the cmdlet (aliases shadow native tools and vary by host)")
RETURN = Rule("PS009", "return at script scope: it ends the script with exit code 0 (Intune reads 'compliant')")
EXIT = Rule("PS010", "the script needs exactly one exit statement, its single exit site (no exit means exit 0)")
REMOVE = Rule("PS011", "Remove-Item outside the quarantine helpers Remove-RmQuarantineItem / Clear-RmQuarantine")
TRY = Rule("PS012", "try without catch or finally: PowerShell 5.1 refuses to parse it")
CONTRACT = Rule("PS013", "runtime contract missing: the first statements must be $ErrorActionPreference = 'Stop'"
                         " and Set-StrictMode -Version <number>")

CALLS = Rule("PS014", "bad call to a function the script defines: unknown or positional parameter, missing mandatory"
                      " parameter (PowerShell would prompt and hang the run), or an undefined/duplicate Rm function")

UNSET = Rule("PS015", "variable read but never assigned: Set-StrictMode makes this a runtime error on the device")

# Windows PowerShell 5.1 / .NET Framework 4.7.2 facts (remediate/ps51.py, data/ps51.json.gz).
COMMAND51 = Rule("PS016", "command not in Windows PowerShell 5.1 (a Verb-Noun the script does not define)")
PARAM51 = Rule("PS017", "parameter not in Windows PowerShell 5.1 for this command, or an ambiguous prefix")
TYPE472 = Rule("PS018", "type not in .NET Framework 4.7.2 / Windows PowerShell 5.1 (\"Unable to find type\")")
MEMBER472 = Rule("PS019", "static member or constructor arity not in .NET Framework 4.7.2")
ASSEMBLY = Rule("PS020", "type from an assembly 5.1 does not load by default, used before Add-Type -AssemblyName")
# Windows PowerShell 5.1 versus 7 traps (remediate/pstraps.py cites the source of each).
ENCODING = Rule("PS021", "file written without an explicit 5.1-valid -Encoding: 5.1 and 7 default differently"
                         " (UTF-16LE / ANSI versus UTF-8)")
JSON_DEPTH = Rule("PS022", "ConvertTo-Json without -Depth: 5.1 cuts at depth 2 silently")
JOIN_PATH = Rule("PS023", "Join-Path with more than two path segments: 5.1 has no -AdditionalChildPath")

RULES: tuple[Rule, ...] = (PARSE, ASCII, BOM, CRLF, SIZE, PS7, COMMAND, ALIAS, RETURN, EXIT, REMOVE, TRY, CONTRACT,
                           CALLS, UNSET, COMMAND51, PARAM51, TYPE472, MEMBER472, ASSEMBLY, ENCODING, JSON_DEPTH,
                           JOIN_PATH)

_COMPAT_RULES = {
    pscompat.COMMAND: COMMAND51, pscompat.PARAMETER: PARAM51, pscompat.TYPE: TYPE472, pscompat.MEMBER: MEMBER472,
    pscompat.ASSEMBLY: ASSEMBLY, pstraps.ENCODING: ENCODING, pstraps.JSON_DEPTH: JSON_DEPTH,
    pstraps.JOIN_PATH: JOIN_PATH,
}


# Host/stderr writers and interactive commands. Intune keeps only the last output line, so a host-stream line
# after the JSON replaces the result; anything on stderr makes a remediation a script error even with exit 0;
# a prompt hangs the device's remediation queue for up to 3,600 s (DOMAIN.md section 5).
FORBIDDEN_COMMANDS = frozenset({
    "write-host", "out-host", "read-host", "get-credential", "pause", "out-gridview", "invoke-expression",
    "write-error", "write-warning", "write-information", "write-progress",
})

# Every built-in alias of Windows PowerShell 5.1 (Get-Alias on a clean host). Several shadow native tools
# (sc = Set-Content, not sc.exe; curl/wget = Invoke-WebRequest; where, sort, fc).
FORBIDDEN_ALIASES = frozenset("""
    % ? ac asnp cat cd cfs chdir clc clear clhy cli clp cls clv cnsn compare copy cp cpi cpp curl cvpa dbp del
    diff dir dnsn ebp echo epal epcsv epsn erase etsn exsn fc fhx fl foreach ft fw gal gbp gc gcb gci gcm gcs gdr
    ghy gi gin gjb gl gm gmo gp gps gpv group gsn gsnp gsv gtz gu gv gwmi h history icm iex ihy ii ipal ipcsv ipmo
    ipsn irm ise iwmi iwr kill lp ls man md measure mi mount move mp mv nal ndr ni nmo npssc nsn nv ogv oh popd ps
    pushd pwd r rbp rcjb rcsn rd rdr ren ri rjb rm rmdir rmo rni rnp rp rsn rsnp rujb rv rvpa rwmi sajb sal saps
    sasv sbp sc scb select set shcm si sl sleep sls sort sp spjb spps spsv start stz sujb sv swmi tee trcm type
    wget where wjb write
""".split())

QUARANTINE_HELPERS = frozenset({"remove-rmquarantineitem", "clear-rmquarantine"})

# A finding before it is tied to a path: (rule, line, col, detail).
Finding = tuple[Rule, int, int, str]


@dataclass(frozen=True)
class _Source:
    data: bytes
    tree: tree_sitter.Tree


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, col) of a byte offset; rows count LF like tree-sitter does."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _at(node: tree_sitter.Node) -> tuple[int, int]:
    return node.start_point[0] + 1, node.start_point[1] + 1


def _text(node: tree_sitter.Node, src: _Source) -> str:
    return pwsh.node_text(node, src.data)


# --- byte-level rules -----------------------------------------------------------------------------------


def _check_parse(src: _Source) -> Iterator[Finding]:
    where = pwsh.deepest_error(src.tree)
    if where is not None:
        yield PARSE, where[0], where[1], ""


def _check_encoding(src: _Source) -> Iterator[Finding]:
    data = src.data
    if data.startswith(UTF8_BOM):
        yield BOM, 1, 1, ""
    start = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0  # one finding for the BOM, not two
    bad = re.compile(rb"[\x80-\xff]").search(data, start)
    if bad is not None:
        yield ASCII, *_position(data, bad.start()), f"0x{data[bad.start()]:02X}"
    if len(data) > MAX_SCRIPT_BYTES:
        yield SIZE, 1, 1, f"{len(data):,} bytes"


def _check_line_endings(src: _Source) -> Iterator[Finding]:
    match = re.search(rb"\r(?!\n)|(?<!\r)\n", src.data)
    if match:
        kind = "bare CR" if match.group() == b"\r" else "bare LF"
        yield CRLF, *_position(src.data, match.start()), kind


# --- PowerShell 7 syntax ---------------------------------------------------------------------------------

# Node types the grammar gives PowerShell 7 operators (pwsh.py quirk 3), and their operator tokens.
_PS7_NODES = ("ternary_expression", "null_coalesce_expression", "pipeline_chain_tail")
_PS7_TOKENS = frozenset({"?", "??", "&&", "||"})
# Nodes whose text can never hold an operator: masked before scanning for ?. and ?[ (no node type for those).
_OPAQUE = ("string_literal", "comment", "generic_token")


def _check_ps7(src: _Source) -> Iterator[Finding]:
    for node_type in _PS7_NODES:
        for node in pwsh.iter_nodes(src.tree, node_type):
            token = next((c for c in node.children if not c.is_named and c.type in _PS7_TOKENS), node)
            yield PS7, *_at(token), f"'{_text(token, src)}'"
    for node in pwsh.iter_nodes(src.tree, "assignment_operator"):
        if _text(node, src) == "??=":
            yield PS7, *_at(node), "'??='"
    masked = bytearray(src.data)
    for node_type in _OPAQUE:
        for node in pwsh.iter_nodes(src.tree, node_type):
            masked[node.start_byte:node.end_byte] = b" " * (node.end_byte - node.start_byte)
    for match in re.finditer(rb"\?[.\[]", bytes(masked)):
        yield PS7, *_position(src.data, match.start()), f"'{match.group().decode()}' (null-conditional access)"


# --- commands --------------------------------------------------------------------------------------------


def _command_name(command: tree_sitter.Node, src: _Source) -> str | None:
    """Lower-case name a command invokes: bare, module-qualified, or `& 'Name'` with a constant string."""
    for child in command.named_children:
        if child.type == "command_name":
            return _text(child, src).rsplit("\\", 1)[-1].lower()
        if child.type == "command_name_expr":
            value = _constant_string(child, src)
            return value.rsplit("\\", 1)[-1].lower() if value is not None else None
    return None


def _constant_string(node: tree_sitter.Node, src: _Source) -> str | None:
    """Value of a node that is only a string literal without interpolation, else None."""
    while node.type != "string_literal" and node.named_child_count == 1:
        node = node.named_children[0]
    if node.type != "string_literal" or node.named_child_count != 1:
        return None
    inner = node.named_children[0]
    if inner.type.startswith("verbatim"):
        return pwsh.string_literal_value(inner, src.data)
    if inner.type == "expandable_string_literal" and inner.named_child_count == 0:
        return _text(inner, src)[1:-1]
    return None


def _enclosing_functions(node: tree_sitter.Node, src: _Source) -> Iterator[str]:
    parent = node.parent
    while parent is not None:
        if parent.type == "function_statement":
            name = next((c for c in parent.named_children if c.type == "function_name"), None)
            if name is not None:
                yield _text(name, src).lower()
        parent = parent.parent


def _check_commands(src: _Source) -> Iterator[Finding]:
    for command in pwsh.iter_nodes(src.tree, "command"):
        name = _command_name(command, src)
        if name in FORBIDDEN_COMMANDS:
            yield COMMAND, *_at(command), name
        elif name in FORBIDDEN_ALIASES:
            yield ALIAS, *_at(command), name
        elif name == "remove-item" and QUARANTINE_HELPERS.isdisjoint(_enclosing_functions(command, src)):
            yield REMOVE, *_at(command), ""


# --- flow control and structure --------------------------------------------------------------------------


def _flow(src: _Source, keyword: str) -> list[tree_sitter.Node]:
    return [n for n in pwsh.iter_nodes(src.tree, "flow_control_statement")
            if n.child_count and n.children[0].type == keyword]


def _in_script_block(node: tree_sitter.Node) -> bool:
    # Function bodies, script block literals and class methods all hold a script_block; the file itself not.
    parent = node.parent
    while parent is not None:
        if parent.type in ("script_block", "class_method_definition"):
            return True
        parent = parent.parent
    return False


def _check_return(src: _Source) -> Iterator[Finding]:
    for node in _flow(src, "return"):
        if not _in_script_block(node):
            yield RETURN, *_at(node), ""


def _check_exit(src: _Source) -> Iterator[Finding]:
    exits = _flow(src, "exit")
    if not exits:
        yield EXIT, 1, 1, "none found"
    for extra in exits[1:]:
        yield EXIT, *_at(extra), f"another exit (first at line {_at(exits[0])[0]})"


def _check_try(src: _Source) -> Iterator[Finding]:
    for node in pwsh.iter_nodes(src.tree, "try_statement"):
        kinds = {c.type for c in node.named_children}
        if not kinds & {"catch_clauses", "catch_clause", "finally_clause"}:
            yield TRY, *_at(node), ""


# --- runtime contract ------------------------------------------------------------------------------------


def _top_statements(src: _Source) -> list[tree_sitter.Node]:
    body = next((c for c in src.tree.root_node.named_children if c.type == "statement_list"), None)
    if body is None:
        return []
    return [c for c in body.named_children if c.type not in ("empty_statement", "comment")]


def _is_eap_stop(node: tree_sitter.Node, src: _Source) -> bool:
    assign = node.named_children[0] if node.type == "pipeline" and node.named_child_count else node
    if assign.type != "assignment_expression" or assign.named_child_count != 3:
        return False
    target, operator, value = assign.named_children
    return (_text(target, src).lower() == "$erroractionpreference" and _text(operator, src) == "="
            and (_constant_string(value, src) or "").lower() == "stop")


def _is_pinned_strict_mode(node: tree_sitter.Node, src: _Source) -> bool:
    command = next(pwsh.iter_nodes(node, "command"), None)
    if command is None or _command_name(command, src) != "set-strictmode":
        return False
    elements = next((c for c in command.named_children if c.type == "command_elements"), None)
    words = [_text(c, src) for c in (elements.named_children if elements else [])
             if c.type != "command_argument_sep"]
    return len(words) == 2 and words[0].lower() == "-version" and re.fullmatch(r"\d+(\.\d+)?", words[1]) is not None


def _check_contract(src: _Source) -> Iterator[Finding]:
    head = _top_statements(src)[:2]
    where = _at(head[0]) if head else (1, 1)
    if not any(_is_eap_stop(n, src) for n in head):
        yield CONTRACT, *where, "$ErrorActionPreference = 'Stop' is not among the first two statements"
    if not any(_is_pinned_strict_mode(n, src) for n in head):
        yield CONTRACT, *where, "Set-StrictMode -Version <number> (pinned, not Latest) is not among the first two"


def _check_calls(src: _Source) -> Iterator[Finding]:
    for line, col, detail in pscalls.check_calls(src.tree, src.data):
        yield CALLS, line, col, detail


def _check_unset(src: _Source) -> Iterator[Finding]:
    for line, col, detail in psvars.unassigned_reads(src.tree, src.data):
        yield UNSET, line, col, detail


def _check_ps51(src: _Source) -> Iterator[Finding]:
    table = ps51.table()
    nodes = pwsh.collect(src.tree, pscompat.NODE_TYPES)
    for kind, line, col, detail in (*pscompat.check(nodes, src.data, table), *pstraps.check(nodes, src.data, table)):
        yield _COMPAT_RULES[kind], line, col, detail


_CHECKS: tuple[Callable[[_Source], Iterator[Finding]], ...] = (
    _check_parse, _check_encoding, _check_line_endings, _check_ps7, _check_commands,
    _check_return, _check_exit, _check_try, _check_contract, _check_calls, _check_unset, _check_ps51,
)


def lint_bytes(data: bytes, path: str = "<string>") -> list[LintIssue]:
    """Every issue in one script's bytes, sorted by position then rule id."""
    src = _Source(data, pwsh.parse(data))
    issues = {
        LintIssue(path, line, col, rule.id, f"{rule.message} ({detail})" if detail else rule.message)
        for check in _CHECKS
        for rule, line, col, detail in check(src)
    }
    return sorted(issues, key=lambda i: (i.line, i.col, i.rule, i.message))


# Folders never walked: virtual environments (they ship Activate.ps1), VCS and tool caches.
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
                       ".mypy_cache", ".pytest_cache"})


def _skipped(folder: Path) -> bool:
    return folder.name in SKIP_DIRS or (folder / "pyvenv.cfg").is_file()


def _walk(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            if not _skipped(entry):
                yield from _walk(entry)
        elif entry.suffix.lower() == ".ps1" and entry.is_file():
            yield entry


def _expand(paths: list[Path]) -> Iterator[Path]:
    """.ps1 files only: as given, and below each folder (sorted; virtual environments and caches skipped)."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() and path.suffix.lower() != ".ps1":
            raise ConfigError("not a PowerShell script (.ps1)", file=str(path))
        else:
            yield path


def select_rules(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> frozenset[str]:
    """Our rule ids to report: those matching a ``select`` prefix (all when none), minus ``ignore`` prefixes.
    Each entry may hold comma-separated ids or prefixes (``PS016,PS02``); one that matches no rule is an error.
    PSScriptAnalyzer rule names (``PSUseSingularNouns``, ``PSAvoid``) are left to ``analyzer_filter``."""
    ids = [r.id for r in RULES]

    def expand(values: tuple[str, ...], flag: str) -> set[str]:
        found: set[str] = set()
        for value in (v.upper() for v in _values(values) if not _ANALYZER_NAME.match(v)):
            matched = {i for i in ids if i.startswith(value)}
            if not matched:
                raise UsageError(f"{flag} {value}: no such rule{did_you_mean(value, ids)}; see --list-rules")
            found |= matched
        return found

    chosen = expand(select, "--select") if select else set(ids)
    return frozenset(chosen - expand(ignore, "--ignore"))


def lint_paths(paths: list[Path], rules: frozenset[str] | None = None) -> list[LintIssue]:
    """Lint .ps1 files as given and every *.ps1 below each directory (sorted, so output is stable)."""
    issues: list[LintIssue] = []
    for path in _expand(paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read script: {exc.strerror}", file=str(path)) from exc
        issues.extend(i for i in lint_bytes(data, str(path)) if rules is None or i.rule in rules)
    return issues


def rules_result() -> Result:
    """``remediate lint --list-rules``: every rule id and what it catches."""
    rows = [{"id": r.id, "message": r.message} for r in RULES]
    lines = [f"{r.id}  {r.message}" for r in RULES]
    lines.append("PSScriptAnalyzer's rules (PSAvoid..., PSUse..., by name) run too where its module is found: "
                 "Get-ScriptAnalyzerRule lists them; docs/linting.md")
    return Result("lint", rows, lines, rows=rows)


# A PSScriptAnalyzer rule name (PSUseSingularNouns), as opposed to one of ours (PS016).
_ANALYZER_NAME = re.compile(r"^ps[a-z]", re.IGNORECASE)


@dataclass(frozen=True)
class AnalyzerFilter:
    """Which PSScriptAnalyzer findings ``--select``/``--ignore`` keep: by rule-name prefix, case-insensitive.
    A ``--select`` naming only our rules runs no PSScriptAnalyzer at all."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    run: bool = True

    def keeps(self, rule: str) -> bool:
        name = rule.lower()
        if self.select and not any(name.startswith(s) for s in self.select):
            return False
        return not any(name.startswith(i) for i in self.ignore)


def _values(entries: tuple[str, ...]) -> list[str]:
    return [v.strip() for entry in entries for v in entry.split(",") if v.strip()]


def analyzer_filter(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> AnalyzerFilter:
    """The PSScriptAnalyzer part of ``--select``/``--ignore``: the values shaped like its rule names."""
    chosen = tuple(v.lower() for v in _values(select) if _ANALYZER_NAME.match(v))
    dropped = tuple(v.lower() for v in _values(ignore) if _ANALYZER_NAME.match(v))
    return AnalyzerFilter(chosen, dropped, run=not select or bool(chosen))


def analyzer_issues(files: list[Path], keep: AnalyzerFilter | None = None) -> tuple[list[LintIssue], str]:
    """PSScriptAnalyzer's failing findings in ``files`` (the .ps1 files our rules lint, as ``_expand`` lists
    them) as our issues (path as our rules name it, its rule name as the code), and the one-line reason when it
    could not run."""
    analysis = pssa.analyze(files) if files else pssa.Analysis()
    shown = {p.resolve(): str(p) for p in files}
    issues = [LintIssue(shown.get(Path(f.path).resolve(), f.path), f.line, f.col, f.rule,
                        f"{f.message} (PSScriptAnalyzer {f.severity.lower()})")
              for f in pssa.failing(analysis) if keep is None or keep.keeps(f.rule)]
    return issues, analysis.skipped


def lint_result(paths: list[Path], rules: frozenset[str] | None = None, *, analyzer: bool = True,
                analyzer_keep: AnalyzerFilter | None = None) -> Result:
    """``remediate lint``: one compiler-style line per issue (ours and PSScriptAnalyzer's, by file and
    position), then the count; exit 1 on any issue. Without PSScriptAnalyzer, one note says why. The SARIF
    form (``--output sarif``) is for code-scanning tools."""
    files = list(_expand(paths))  # walked once: virtual environments, .git and caches skipped
    issues = lint_paths(files, rules)
    notes: list[str] = []
    if analyzer and (analyzer_keep is None or analyzer_keep.run):
        extra, skipped = analyzer_issues(files, analyzer_keep)
        rank = {str(path): n for n, path in enumerate(files)}  # the files in the order we lint them
        issues = sorted(issues + extra, key=lambda i: (rank.get(i.path, len(rank)), i.path, i.line, i.col, i.rule))
        notes = [skipped] if skipped else []
    data = [{"path": i.path, "line": i.line, "col": i.col, "rule": i.rule, "message": i.message} for i in issues]
    return Result("lint", data, [str(i) for i in issues] + [f"{len(issues)} issue(s)"], rows=data,
                  exit_code=1 if issues else 0, notes=notes, forms={"sarif": sarif(issues)})


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif(issues: list[LintIssue]) -> str:
    """The issues as a SARIF 2.1.0 log (one run, every rule described), the format code-scanning tools read.
    PSScriptAnalyzer's rules are described as they appear."""
    import json

    from remediate import __version__

    rules = [{"id": r.id, "shortDescription": {"text": r.message}, "defaultConfiguration": {"level": "error"}}
             for r in RULES]
    for name in sorted({i.rule for i in issues} - {r.id for r in RULES}):
        rules.append({"id": name, "shortDescription": {"text": f"PSScriptAnalyzer rule {name}"},
                      "helpUri": "https://learn.microsoft.com/powershell/utility-modules/psscriptanalyzer/rules/"
                                 + name.removeprefix("PS").lower(),
                      "defaultConfiguration": {"level": "error"}})
    index = {r["id"]: n for n, r in enumerate(rules)}
    results = [{
        "ruleId": i.rule, "ruleIndex": index[i.rule], "level": "error", "message": {"text": i.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": Path(i.path).as_posix()},
                                            "region": {"startLine": i.line, "startColumn": i.col}}}],
    } for i in issues]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "remediate lint", "version": __version__, "rules": rules}},
        "results": results}]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"
