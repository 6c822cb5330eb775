"""The shared PowerShell is one function per file, the file named after it (STYLE.md: "A file is named after
what it holds").

The renderer inlines every file of runtime/, rmm/ and the chosen profiles/ folder and prunes the functions a
script does not call (remediate/prune.py); text outside a function would survive pruning into every script, so
a file holds its function and nothing else. launcher/ is not covered: Invoke-RmAsInteractiveUser.ps1 is a whole
script (script-scope settings, placeholders, a main block and its own exit) loaded by name
(remediate/launcher.py), not a library of functions (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediate import pwsh
from remediate.render import PROFILE_DIRS, RMM_RUNTIME_DIR, RUNTIME_DIR

# Each set of folders is inlined together into one script, so a name may appear only once within it.
INLINED_TOGETHER = {
    "runtime+rmm+mapped": (RUNTIME_DIR, RMM_RUNTIME_DIR, PROFILE_DIRS[False]),
    "runtime+rmm+passthrough": (RUNTIME_DIR, RMM_RUNTIME_DIR, PROFILE_DIRS[True]),
}
FOLDERS = sorted({folder for group in INLINED_TOGETHER.values() for folder in group})
FILES = sorted(f for folder in FOLDERS for f in folder.glob("*.ps1"))


def _statements(src: bytes) -> list:
    """The top-level statements of a file (the grammar wraps them in one statement_list)."""
    nodes = []
    for node in pwsh.parse(src).root_node.named_children:
        nodes.extend(node.named_children if node.type == "statement_list" else [node])
    return nodes


def function_names(path: Path) -> list[str]:
    """The names of the functions defined at the top of ``path``."""
    src = path.read_bytes()
    return [pwsh.node_text(next(c for c in node.named_children if c.type == "function_name"), src)
            for node in _statements(src) if node.type == "function_statement"]


def layout_problems(path: Path) -> list[str]:
    """What is wrong with ``path`` as a runtime file: it must define exactly one function, named like the file,
    and hold nothing outside it (no script-scope statement, no comment)."""
    src = path.read_bytes()
    if pwsh.deepest_error(pwsh.parse(src)) is not None:
        return ["does not parse"]
    problems = [f"{node.type} outside the function" for node in _statements(src) if node.type != "function_statement"]
    names = function_names(path)
    if len(names) != 1:
        problems.append(f"{len(names)} functions ({', '.join(names)}), not one")
    elif names[0] != path.stem:
        problems.append(f"holds {names[0]}, not {path.stem}")
    return problems


def test_the_folders_hold_runtime_files():
    assert len(FOLDERS) == 4 and all(folder.is_dir() for folder in FOLDERS)
    assert len(FILES) > 100


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_one_function_named_after_its_file(path):
    assert layout_problems(path) == []


@pytest.mark.parametrize("group", sorted(INLINED_TOGETHER), ids=str)
def test_no_function_is_defined_twice_in_one_script(group):
    files = [f for folder in INLINED_TOGETHER[group] for f in folder.glob("*.ps1")]
    names = [name.lower() for f in files for name in function_names(f)]  # PowerShell ignores case
    assert sorted({n for n in names if names.count(n) > 1}) == []


BAD_FILES = {
    "two-functions": ("Get-RmA", "function Get-RmA {\n}\n\nfunction Get-RmB {\n}\n",
                      ["2 functions (Get-RmA, Get-RmB), not one"]),
    "no-function": ("Get-RmA", "$RmA = 1\n", ["pipeline outside the function", "0 functions (), not one"]),
    "misnamed": ("Get-RmA", "function Get-RmB {\n}\n", ["holds Get-RmB, not Get-RmA"]),
    "case-differs": ("Get-RmA", "function get-rma {\n}\n", ["holds get-rma, not Get-RmA"]),
    "script-scope": ("Get-RmA", "$RmA = 1\nfunction Get-RmA {\n}\n", ["pipeline outside the function"]),
    "comment-outside": ("Get-RmA", "# about A\nfunction Get-RmA {\n}\n", ["comment outside the function"]),
    "good": ("Get-RmA", "function Get-RmA {\n    function Get-RmInner { }\n}\n", []),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES), ids=str)
def test_the_layout_check_sees_each_problem(tmp_path, case):
    stem, text, problems = BAD_FILES[case]
    path = tmp_path / f"{stem}.ps1"
    path.write_text(text, encoding="ascii")
    assert layout_problems(path) == problems
