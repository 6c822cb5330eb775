"""What Windows PowerShell 5.1 and .NET Framework 4.7.2 have: the shipped table and PowerShell's name rules.

``data/ps51.json.gz`` is derived by ``tools/derive_ps51.py`` from PSScriptAnalyzer's 5.1 profile and the .NET
Framework 4.7.2 / PowerShellStandard reference assemblies (provenance and licences: ``data/PS51-NOTICE.md``).
This module only reads it; resolving a name the way PowerShell 5.1 does (type accelerators, the implicit
``System.`` prefix, generic and array spellings, parameter-name prefixes) lives here too.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from dataclasses import dataclass
from importlib import resources

# Windows PowerShell 5.1's type accelerators ([psobject].Assembly.GetType(
# 'System.Management.Automation.TypeAccelerators')::Get on 5.1): PowerShell 7's list without its additions
# (semver, short, ushort, uint, ulong, ordered, pspropertyexpression, ArgumentCompletions, Experimental*,
# NoRunspaceAffinity, ValidateNotNullOrWhiteSpace) and with the Windows-only adsi/wmi ones. [ordered] is not a
# type in 5.1: the parser accepts it only in front of a hashtable literal (see pscompat).
ACCELERATORS: dict[str, str] = {k.lower(): v for k, v in (pair.split("=") for pair in """
    Alias=System.Management.Automation.AliasAttribute
    AllowEmptyCollection=System.Management.Automation.AllowEmptyCollectionAttribute
    AllowEmptyString=System.Management.Automation.AllowEmptyStringAttribute
    AllowNull=System.Management.Automation.AllowNullAttribute
    ArgumentCompleter=System.Management.Automation.ArgumentCompleterAttribute
    array=System.Array bigint=System.Numerics.BigInteger bool=System.Boolean byte=System.Byte char=System.Char
    cimclass=Microsoft.Management.Infrastructure.CimClass cimconverter=Microsoft.Management.Infrastructure.CimConverter
    ciminstance=Microsoft.Management.Infrastructure.CimInstance CimSession=Microsoft.Management.Infrastructure.CimSession
    cimtype=Microsoft.Management.Infrastructure.CimType CmdletBinding=System.Management.Automation.CmdletBindingAttribute
    cultureinfo=System.Globalization.CultureInfo datetime=System.DateTime decimal=System.Decimal double=System.Double
    DscLocalConfigurationManager=System.Management.Automation.DscLocalConfigurationManagerAttribute
    DscProperty=System.Management.Automation.DscPropertyAttribute
    DscResource=System.Management.Automation.DscResourceAttribute
    float=System.Single guid=System.Guid hashtable=System.Collections.Hashtable
    initialsessionstate=System.Management.Automation.Runspaces.InitialSessionState
    int=System.Int32 int16=System.Int16 int32=System.Int32 int64=System.Int64 ipaddress=System.Net.IPAddress
    IPEndpoint=System.Net.IPEndPoint long=System.Int64 mailaddress=System.Net.Mail.MailAddress
    NullString=System.Management.Automation.Language.NullString ObjectSecurity=System.Security.AccessControl.ObjectSecurity
    OutputType=System.Management.Automation.OutputTypeAttribute Parameter=System.Management.Automation.ParameterAttribute
    PhysicalAddress=System.Net.NetworkInformation.PhysicalAddress powershell=System.Management.Automation.PowerShell
    psaliasproperty=System.Management.Automation.PSAliasProperty pscredential=System.Management.Automation.PSCredential
    pscustomobject=System.Management.Automation.PSObject PSDefaultValue=System.Management.Automation.PSDefaultValueAttribute
    pslistmodifier=System.Management.Automation.PSListModifier psmoduleinfo=System.Management.Automation.PSModuleInfo
    psnoteproperty=System.Management.Automation.PSNoteProperty psobject=System.Management.Automation.PSObject
    psprimitivedictionary=System.Management.Automation.PSPrimitiveDictionary
    psscriptmethod=System.Management.Automation.PSScriptMethod
    psscriptproperty=System.Management.Automation.PSScriptProperty
    PSTypeNameAttribute=System.Management.Automation.PSTypeNameAttribute psvariable=System.Management.Automation.PSVariable
    psvariableproperty=System.Management.Automation.PSVariableProperty ref=System.Management.Automation.PSReference
    regex=System.Text.RegularExpressions.Regex runspace=System.Management.Automation.Runspaces.Runspace
    runspacefactory=System.Management.Automation.Runspaces.RunspaceFactory
    sbyte=System.SByte scriptblock=System.Management.Automation.ScriptBlock securestring=System.Security.SecureString
    single=System.Single string=System.String SupportsWildcards=System.Management.Automation.SupportsWildcardsAttribute
    switch=System.Management.Automation.SwitchParameter timespan=System.TimeSpan type=System.Type
    uint16=System.UInt16 uint32=System.UInt32 uint64=System.UInt64 uri=System.Uri
    ValidateCount=System.Management.Automation.ValidateCountAttribute
    ValidateDrive=System.Management.Automation.ValidateDriveAttribute
    ValidateLength=System.Management.Automation.ValidateLengthAttribute
    ValidateNotNull=System.Management.Automation.ValidateNotNullAttribute
    ValidateNotNullOrEmpty=System.Management.Automation.ValidateNotNullOrEmptyAttribute
    ValidatePattern=System.Management.Automation.ValidatePatternAttribute
    ValidateRange=System.Management.Automation.ValidateRangeAttribute
    ValidateScript=System.Management.Automation.ValidateScriptAttribute
    ValidateSet=System.Management.Automation.ValidateSetAttribute
    ValidateTrustedData=System.Management.Automation.ValidateTrustedDataAttribute
    ValidateUserDrive=System.Management.Automation.ValidateUserDriveAttribute
    version=System.Version void=System.Void WildcardPattern=System.Management.Automation.WildcardPattern
    X500DistinguishedName=System.Security.Cryptography.X509Certificates.X500DistinguishedName
    X509Certificate=System.Security.Cryptography.X509Certificates.X509Certificate xml=System.Xml.XmlDocument
    adsi=System.DirectoryServices.DirectoryEntry adsisearcher=System.DirectoryServices.DirectorySearcher
    wmi=System.Management.ManagementObject wmiclass=System.Management.ManagementClass
    wmisearcher=System.Management.ManagementObjectSearcher
""".split())}

# The common parameters of Windows PowerShell 5.1 with their aliases (about_CommonParameters, 5.1 version).
# -ProgressAction is not one: PowerShell 7.4 added it.
COMMON_PARAMETERS = {
    "verbose": ("vb", False), "debug": ("db", False), "erroraction": ("ea", True), "warningaction": ("wa", True),
    "informationaction": ("infa", True), "errorvariable": ("ev", True), "warningvariable": ("wv", True),
    "informationvariable": ("iv", True), "outvariable": ("ov", True), "outbuffer": ("ob", True),
    "pipelinevariable": ("pv", True),
}
RISK_ALIASES = {"whatif": "wi", "confirm": "cf"}

# Assemblies Windows PowerShell 5.1 does not load at start-up, so their types are unknown ("Unable to find type")
# until `Add-Type -AssemblyName` loads them. The first five are the ones the netfx472 source's README names;
# the others depend on one of those or are, like them, referenced by nothing powershell.exe loads.
NOT_LOADED = frozenset({
    "System.Net.Http", "System.Web", "System.IO.Compression.FileSystem", "System.Windows.Forms", "System.Drawing",
    "System.IO.Compression", "System.Net.Http.WebRequest", "System.Web.Extensions",
    "System.DirectoryServices.AccountManagement",
})


@dataclass(frozen=True)
class Command:
    """A 5.1 command: its parameters (lower-case name -> takes a value) with the common ones merged in."""

    name: str
    params: dict[str, bool]
    aliases: dict[str, str]  # lower-case alias -> parameter

    def resolve(self, given: str) -> tuple[str | None, list[str]]:
        """PowerShell's parameter binding by name: exact name or alias, else a unique prefix.

        Returns (parameter, []) when found, (None, candidates) when ambiguous, (None, []) when unknown.
        """
        key = given.lower()
        if key in self.params:
            return key, []
        if key in self.aliases:
            return self.aliases[key], []
        matches = sorted({p for p in self.params if p.startswith(key)}
                         | {a for a, p in self.aliases.items() if a.startswith(key)})
        targets = sorted({self.aliases.get(m, m) for m in matches})
        if len(targets) == 1:
            return targets[0], []
        return None, targets


@dataclass(frozen=True)
class TypeInfo:
    key: str  # lower-case full name as in the table
    assembly: str
    base: str
    value_type: bool
    statics: frozenset[str]
    ctors: tuple[tuple[int, int | None], ...]  # (min, max) arguments; max None for a params array


class Table:
    """The shipped facts, read once."""

    def __init__(self, raw: dict) -> None:
        self._commands: dict[str, str] = raw["commands"]
        self._types: dict[str, list] = raw["types"]
        self._assemblies: list[str] = raw["assemblies"]

    def command(self, name: str) -> Command | None:
        spec = self._commands.get(name.lower())
        if spec is None:
            return None
        words = spec.split()
        params = {w.rstrip("="): w.endswith("=") for w in words if w != "*"}
        aliases: dict[str, str] = {}
        if "*" in words:
            for pname, (alias, value) in COMMON_PARAMETERS.items():
                params[pname] = value
                aliases[alias] = pname
        for pname, alias in RISK_ALIASES.items():
            if pname in params:
                aliases[alias] = pname
        return Command(name, params, aliases)

    def type_info(self, key: str) -> TypeInfo | None:
        row = self._types.get(key)
        if row is None:
            return None
        asm, base, flags, statics, ctors = row
        return TypeInfo(key, self._assemblies[asm], base, bool(flags & 1), frozenset(statics.split()),
                        tuple(_arity(a) for a in ctors.split(",") if a))

    def has_static(self, key: str, member: str) -> bool | None:
        """Whether the type or a base has a public static member; None when a base is outside the table."""
        member = member.lower()
        seen = set()
        while key and key not in seen:
            seen.add(key)
            info = self.type_info(key)
            if info is None:
                return None
            if member in info.statics:
                return True
            key = info.base
        return False

    def resolve_type(self, name: str, namespaces: tuple[str, ...] = ()) -> TypeName:
        """Parse a PowerShell type spelling and resolve every name in it as PowerShell 5.1 does."""
        return _resolve(self, name.strip(), namespaces)

    def lookup(self, name: str, arity: int, namespaces: tuple[str, ...]) -> str | None:
        """Table key of a plain (non-array) name with ``arity`` generic arguments, or None."""
        lower = name.lower()
        if arity == 0 and lower in ACCELERATORS:
            return ACCELERATORS[lower].lower()
        suffix = f"`{arity}" if arity else ""
        for prefix in ("", "system.", *(ns.lower() + "." for ns in namespaces)):
            if prefix + lower + suffix in self._types:
                return prefix + lower + suffix
        return None


@dataclass(frozen=True)
class TypeName:
    """A resolved type spelling: its table key (None when unknown) and every unknown name inside it."""

    key: str | None
    unknown: tuple[str, ...]


def _arity(text: str) -> tuple[int, int | None]:
    low, _, high = text.partition("-")
    if text.endswith("+"):
        return int(text.rstrip("+").split("-")[0]), None
    return int(low), int(high) if high else int(low)


_ARRAY_SUFFIX = re.compile(r"\[\s*,*\s*\]$")


def _split_args(inner: str) -> list[str]:
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(inner):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [p.strip().strip("[]").strip() if p.strip().startswith("[") else p.strip() for p in parts]


def _resolve(table: Table, text: str, namespaces: tuple[str, ...]) -> TypeName:
    while _ARRAY_SUFFIX.search(text):
        text = _ARRAY_SUFFIX.sub("", text).strip()
    unknown: list[str] = []
    arity = 0
    if text.endswith("]") and "[" in text:
        head, inner = text[:text.index("[")], text[text.index("[") + 1:-1]
        args = _split_args(inner)
        arity = len(args)
        for arg in args:
            unknown.extend(_resolve(table, arg, namespaces).unknown)
        text = head.strip()
    if "`" in text:
        text, _, count = text.partition("`")
        arity = int(count) if count.isdigit() else arity
    key = table.lookup(text, arity, namespaces)
    if key is None:
        unknown.insert(0, text + (f"`{arity}" if arity else ""))
    return TypeName(key, tuple(unknown))


@functools.cache
def table() -> Table:
    """The shipped table (``data/ps51.json.gz``), loaded on first use."""
    data = resources.files("remediate").joinpath("data/ps51.json.gz").read_bytes()
    return Table(json.loads(gzip.decompress(data)))
