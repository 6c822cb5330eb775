"""Derive remediate/data/ps51.json.gz, the Windows PowerShell 5.1 / .NET Framework 4.7.2 facts the linter uses.

Usage: python tools/derive_ps51.py SOURCE_DIR [OUTPUT]

SOURCE_DIR holds ``desktop-5.1.14393.206-windows.json`` (PSScriptAnalyzer's compatibility profile of Windows
PowerShell 5.1 on Windows 10 / Server 2016), ``netfx472/*.dll`` (.NET Framework 4.7.2 reference assemblies) and
``powershell-standard/System.Management.Automation.dll`` (PowerShellStandard.Library 5.1.1), all MIT-licensed.
Reading the assemblies needs the optional dependency group ``derive`` (``pip install -e '.[derive]'``, a .NET
metadata reader); the linter only reads the output, which is deterministic (sorted keys, gzip mtime 0).

Output, one JSON object:
- ``commands``: lower-case command name -> its parameters, space-separated, lower-case; ``=`` marks one that takes
  a value (a switch has none); ``*`` first when the command takes the common parameters.
- ``types``: lower-case full type name (``Outer+Inner``, generic arity as ``Name`1``) ->
  ``[assembly index, lower-case base type or "", flags, "static members", "constructor arities"]``.
  flags: 1 value type, 2 interface. Static members: public static fields, properties, methods and events,
  inherited ones excluded (walk the base chain). Constructor arities: ``min-max`` per public constructor,
  ``max`` is ``+`` for a ``params`` array; optional parameters count as omittable.
- ``assemblies``: the assembly names the indexes refer to.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import sys
from pathlib import Path

import dnfile

# dnfile warns about every blob it cannot decode while it indexes the heaps (custom attribute values and the
# like, which nothing here reads): silence that, the tables this script uses are checked by its output.
logging.getLogger("dnfile").setLevel(logging.ERROR)

PROFILE = "desktop-5.1.14393.206-windows.json"
# "-Name <type>", "[-Name <type>]", "[-Switch]", "[-Name] <type>" (positional), "[[-Name] <type>]".
_PARAM = re.compile(r"(?:^|(?<=[\s\[]))-([A-Za-z]\w*)\]?( <[^>]+>)?")


def _parameters(syntax: str) -> dict[str, bool]:
    """Parameter names of a ``Get-Command -Syntax``-style string -> whether each takes a value."""
    found: dict[str, bool] = {}
    for match in _PARAM.finditer(syntax):
        name = match.group(1).lower()
        found[name] = found.get(name, False) or match.group(2) is not None
    return found


def derive_commands(profile: Path) -> dict[str, str]:
    data = json.loads(profile.read_text(encoding="utf-8-sig"))
    commands: dict[str, dict[str, bool]] = {}
    common: set[str] = set()
    for module in data["Modules"]:
        exported = module.get("ExportedCommands") or []
        if isinstance(exported, dict):
            exported = [exported]
        for command in exported:
            key = command["Name"].lower()
            syntax = command.get("ParameterSets") or ""
            if isinstance(syntax, list):  # a few commands list their parameter sets one string each
                syntax = " ".join(syntax)
            params = commands.setdefault(key, {})
            for name, value in _parameters(syntax).items():
                params[name] = params.get(name, False) or value
            if "<CommonParameters>" in syntax:
                common.add(key)
    return {
        key: " ".join((["*"] if key in common else []) + [n + ("=" if v else "") for n, v in sorted(params.items())])
        for key, params in sorted(commands.items())
    }


def _uint(blob: bytes, pos: int) -> tuple[int, int]:
    """ECMA-335 II.23.2 compressed unsigned integer at ``pos`` -> (value, next position)."""
    first = blob[pos]
    if first & 0x80 == 0:
        return first, pos + 1
    if first & 0xC0 == 0x80:
        return ((first & 0x3F) << 8) | blob[pos + 1], pos + 2
    return ((first & 0x1F) << 24) | (blob[pos + 1] << 16) | (blob[pos + 2] << 8) | blob[pos + 3], pos + 4


def _param_count(signature: bytes) -> int:
    pos = 1
    if signature[0] & 0x10:  # GENERIC: generic parameter count first
        _, pos = _uint(signature, pos)
    count, _ = _uint(signature, pos)
    return count


def _ref_name(ref) -> str:
    """Full name of a TypeRef row; a nested type's scope is its enclosing TypeRef."""
    scope = ref.ResolutionScope
    if scope is not None and scope.table is not None and scope.table.name == "TypeRef" and scope.row is not None:
        return _ref_name(scope.row) + "+" + str(ref.TypeName)
    return f"{ref.TypeNamespace}.{ref.TypeName}" if str(ref.TypeNamespace) else str(ref.TypeName)


class _Assembly:
    def __init__(self, path: Path) -> None:
        self.pe = dnfile.dnPE(str(path))
        self.md = self.pe.net.mdtables
        self.name = str(self.md.Assembly.rows[0].Name)
        self.params_arrays = self._param_array_params()
        self.enclosing = {row.NestedClass.row_index: row.EnclosingClass.row_index
                          for row in (self.md.NestedClass.rows if self.md.NestedClass else [])}

    def _param_array_params(self) -> set[int]:
        found = set()
        for row in self.md.CustomAttribute.rows if self.md.CustomAttribute else []:
            if row.Parent.table is None or row.Parent.table.name != "Param":
                continue
            ctor = row.Type.row
            owner = getattr(ctor, "Class", None)
            if owner is not None and owner.row is not None and str(getattr(owner.row, "TypeName", "")) \
                    == "ParamArrayAttribute":
                found.add(row.Parent.row_index)
        return found

    def full_name(self, index: int) -> str:
        row = self.md.TypeDef.rows[index - 1]
        name = str(row.TypeName)
        if index in self.enclosing:
            return self.full_name(self.enclosing[index]) + "+" + name
        return f"{row.TypeNamespace}.{name}" if str(row.TypeNamespace) else name

    def visible(self, index: int) -> bool:
        flags = self.md.TypeDef.rows[index - 1].Flags
        if index in self.enclosing:
            return bool(flags.tdNestedPublic) and self.visible(self.enclosing[index])
        return bool(flags.tdPublic)

    def base_name(self, row) -> str:
        extends = row.Extends
        if extends is None or extends.table is None or not extends.row_index:  # System.Object, interfaces
            return ""
        if extends.table.name == "TypeDef":
            return self.full_name(extends.row_index)
        if extends.table.name == "TypeRef":
            return _ref_name(extends.row)
        return ""  # TypeSpec: a generic instantiation; its statics are rarely reached through the child

    def ctor_arity(self, method) -> str:
        params = [p.row for p in method.ParamList or [] if p.row is not None and p.row.Sequence > 0]
        count = _param_count(bytes(method.Signature.value))
        optional = sum(1 for p in params if p.Flags.pdOptional or p.Flags.pdHasDefault)
        variadic = any(p.row_index in self.params_arrays for p in method.ParamList or [] if p.row is not None
                       and p.row.Sequence == count)
        low = count - optional - (1 if variadic else 0)
        high = "+" if variadic else str(count)
        return str(low) if high == str(low) else f"{low}-{high}"


def derive_types(assemblies: list[Path]) -> tuple[dict[str, list], list[str]]:
    types: dict[str, list] = {}
    names: list[str] = []
    for number, path in enumerate(assemblies):
        asm = _Assembly(path)
        names.append(asm.name)
        for index, row in enumerate(asm.md.TypeDef.rows, start=1):
            if not asm.visible(index):
                continue
            base = asm.base_name(row)
            flags = (1 if base in ("System.ValueType", "System.Enum") else 0) | (2 if row.Flags.tdInterface else 0)
            statics: set[str] = set()
            ctors: set[str] = set()
            for ref in row.MethodList or []:
                method = ref.row
                if not method.Flags.mdPublic:
                    continue
                name = str(method.Name)
                if name == ".ctor":
                    ctors.add(asm.ctor_arity(method))
                elif method.Flags.mdStatic and name != ".cctor":
                    if method.Flags.mdSpecialName and name.startswith(("get_", "set_", "add_", "remove_")):
                        name = name.split("_", 1)[1]
                    statics.add(name.lower())
            for ref in row.FieldList or []:
                field = ref.row
                if field.Flags.fdPublic and field.Flags.fdStatic:
                    statics.add(str(field.Name).lower())
            if flags & 1:
                ctors.add("0")  # value types always have the implicit parameterless constructor
            types[asm.full_name(index).lower()] = [number, base.lower(), flags, " ".join(sorted(statics)),
                                                   ",".join(sorted(ctors))]
    return dict(sorted(types.items())), names


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    source = Path(argv[1])
    output = Path(argv[2]) if len(argv) == 3 else Path(__file__).resolve().parents[1] / "remediate/data/ps51.json.gz"
    assemblies = sorted((source / "netfx472").glob("*.dll")) + [
        source / "powershell-standard/System.Management.Automation.dll"]
    types, names = derive_types(assemblies)
    table = {"commands": derive_commands(source / PROFILE), "types": types, "assemblies": names,
             "sources": {"commands": PROFILE, "types": [p.name for p in assemblies]}}
    raw = json.dumps(table, sort_keys=True, separators=(",", ":")).encode()
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    output.write_bytes(buffer.getvalue())
    print(f"{output}: {len(table['commands'])} commands, {len(types)} types, {len(buffer.getvalue()):,} bytes "
          f"({len(raw):,} uncompressed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
