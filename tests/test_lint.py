"""Tests for the PowerShell linter (remediate.lint) and its parser wrapper (remediate.pwsh).

Every sample is built here as bytes with CRLF endings, exactly as the generator writes scripts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediate import lint, pwsh
from remediate.errors import ConfigError

CONTRACT = ("$ErrorActionPreference = 'Stop'", "Set-StrictMode -Version 3.0")


def crlf(*lines: str) -> bytes:
    """Join lines with CRLF (and end with one), encoded as UTF-8 so non-ASCII samples stay possible."""
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


def ps(*body: str) -> bytes:
    """A minimal valid script around ``body``: the runtime contract first, the single exit last."""
    return crlf(*CONTRACT, *body, "exit 0")


A = "$a = $null"  # good samples that read $a set it first: PS015 rejects reading a variable nobody assigns


def rule_ids(data: bytes) -> list[str]:
    return [issue.rule for issue in lint.lint_bytes(data)]


def padded_to(size: int) -> bytes:
    """A clean script of exactly ``size`` bytes (a comment line takes up the slack)."""
    base = ps("# ")
    return base.replace(b"# \r\n", b"# " + b"x" * (size - len(base)) + b"\r\n")


# (rule id, readable case id, failing sample, passing sample). Passing samples must be entirely clean.
CASES = [
    ("PS001", "unclosed-block", ps("if ($a) {"), ps(A, "if ($a) { }")),
    ("PS001", "unclosed-paren", ps("$a = (1"), ps("$a = (1)")),
    ("PS002", "e-acute-in-string", ps("$a = 'caf\u00e9'"), ps("$a = 'cafe'")),
    ("PS002", "smart-quote-in-comment", ps("# it\u2019s"), ps("# it's")),
    ("PS003", "utf8-bom", b"\xef\xbb\xbf" + ps(), ps()),
    ("PS004", "bare-lf", ps("$a = 1").replace(b"\r\n", b"\n"), ps("$a = 1")),
    ("PS004", "bare-cr", ps("$a = 1").replace(b"$a = 1\r\n", b"$a = 1\r"), ps("$a = 1")),
    ("PS004", "one-bare-lf-at-end", ps("$a = 1")[:-2] + b"\n", ps("$a = 1")),
    ("PS005", "over-200000-bytes", padded_to(200_001), padded_to(200_000)),
    ("PS006", "ternary", ps("$b = $a ? 1 : 2"), ps(A, "$b = if ($a) { 1 } else { 2 }")),
    ("PS006", "null-coalesce", ps("$b = $a ?? 2"), ps(A, "$b = if ($null -ne $a) { $a } else { 2 }")),
    ("PS006", "null-coalesce-assign", ps("$a ??= 3"), ps("$a = 3")),
    ("PS006", "chain-and", ps("Get-Date && Get-Date"), ps("$a = $true -and $false")),
    ("PS006", "chain-or", ps("Get-Date || Get-Date"), ps("$a = $true -or $false")),
    ("PS006", "null-conditional-member", ps("$b = ${a}?.Length"), ps(A, "$b = ${a}.Length")),
    ("PS006", "null-conditional-index", ps("$b = ${a}?[0]"), ps(A, "$b = ${a}[0]")),
    ("PS006", "operators-in-strings-ok", ps("$b = $a ?? 1"),
     ps("$s = 'a ?? b && c || d ?. e ?[ f'", '$t = "x ? y : z"', "# a ?? b && c ?.d")),
    ("PS007", "write-host", ps("Write-Host 'x'"), ps("Write-Output 'x'")),
    ("PS007", "read-host", ps("$a = Read-Host"), ps("$a = 'fixed'")),
    ("PS007", "get-credential", ps("$c = Get-Credential"), ps("$c = $null")),
    ("PS007", "pause", ps("pause"), ps("Start-Sleep -Seconds 1")),
    ("PS007", "out-gridview", ps("Get-Date | Out-GridView"), ps("Get-Date | Out-Null")),
    ("PS007", "invoke-expression", ps("Invoke-Expression '1'"), ps("$a = 1")),
    ("PS007", "write-error", ps("Write-Error 'x'"), ps("$result = @{ error = 'x' }")),
    ("PS007", "write-warning", ps("Write-Warning 'x'"), ps("Write-Verbose 'x'")),
    ("PS007", "write-information", ps("Write-Information 'x'"), ps("Write-Debug 'x'")),
    ("PS007", "case-insensitive", ps("wRITE-hOST 'x'"), ps("write-output 'x'")),
    ("PS007", "module-qualified", ps("Microsoft.PowerShell.Utility\\Write-Host 'x'"),
     ps("Microsoft.PowerShell.Utility\\Write-Output 'x'")),
    ("PS007", "call-operator-string", ps("& 'Write-Host' 'x'"), ps("& 'Write-Output' 'x'")),
    ("PS008", "percent", ps("1, 2 | % { $_ }"), ps("1, 2 | ForEach-Object { $_ }")),
    ("PS008", "question-mark", ps("1, 2 | ? { $_ -gt 1 }"), ps("1, 2 | Where-Object { $_ -gt 1 }")),
    ("PS008", "foreach-command", ps("1, 2 | foreach { $_ }"), ps("foreach ($i in @(1, 2)) { $i }")),
    ("PS008", "where-command", ps("1, 2 | where { $_ }"), ps("1, 2 | Where-Object { $_ }")),
    ("PS008", "sc-shadows-sc-exe", ps("sc x y"), ps("sc.exe query w32time")),
    ("PS008", "curl-not-curl-exe", ps("curl https://example.invalid"), ps("curl.exe https://example.invalid")),
    ("PS008", "gci-uppercase", ps("GCI C:\\"), ps("Get-ChildItem -LiteralPath 'C:\\'")),
    ("PS009", "top-level", ps("return"), ps("function Get-A { return 1 }")),
    ("PS009", "top-level-if", ps("if ($a) { return }"), ps(A, "$f = { if ($a) { return } }")),
    ("PS009", "keyword-any-case", ps("Return"), ps("function Get-A { RETURN 1 }")),
    ("PS009", "top-level-trap", ps("trap { return }"), ps("class C { [int] M() { return 1 } }")),
    ("PS010", "no-exit", crlf(*CONTRACT, "$a = 1"), crlf(*CONTRACT, "$a = 1", "exit 1")),
    ("PS010", "two-exits", ps("if ($a) { exit 1 }"), ps(A, "if ($a) { $code = 1 }")),
    ("PS010", "keyword-any-case", ps("EXIT 1"), crlf(*CONTRACT, "EXIT 1")),
    ("PS010", "exit-in-function-counts", ps("function Stop-A { exit 1 }"),
     crlf(*CONTRACT, "function Stop-A { exit 1 }", "Stop-A")),
    ("PS011", "top-level", ps("Remove-Item -LiteralPath 'x'"),
     ps("function Remove-RmQuarantineItem { Remove-Item -LiteralPath 'x' }")),
    ("PS011", "other-function", ps("function Clear-Cache { Remove-Item -LiteralPath 'x' }"),
     ps(A, "function Clear-RmQuarantine { if ($a) { Remove-Item -LiteralPath 'x' } }")),
    ("PS012", "lone-try", ps("try { $a = 1 }"), ps("try { $a = 1 }", "catch { $a = 2 }")),
    ("PS012", "nested-lone-try", ps("try { try { $a = 1 } } finally { }"), ps("try { $a = 1 } finally { }")),
    ("PS013", "no-eap", crlf(CONTRACT[1], "exit 0"), crlf(*reversed(CONTRACT), "exit 0")),
    ("PS013", "eap-continue", crlf("$ErrorActionPreference = 'Continue'", CONTRACT[1], "exit 0"),
     crlf('$ErrorActionPreference = "Stop"', CONTRACT[1], "exit 0")),
    ("PS013", "strictmode-latest", crlf(CONTRACT[0], "Set-StrictMode -Version Latest", "exit 0"),
     crlf(CONTRACT[0], "Set-StrictMode -Version 2", "exit 0")),
    ("PS013", "no-strictmode", crlf(CONTRACT[0], "exit 0"),
     crlf("#Requires -Version 5.1", "[CmdletBinding()]", "param()", *CONTRACT, "exit 0")),
    ("PS013", "contract-not-first", crlf("$a = 1", *CONTRACT, "exit 0"), crlf(*CONTRACT, "$a = 1", "exit 0")),
    ("PS014", "unknown-parameter", crlf(*CONTRACT, "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "Get-RmX -Name 'a' -Nmae 'b'", "exit 0"),
     crlf(*CONTRACT, "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "Get-RmX -Name 'a' -Force", "exit 0")),
    ("PS014", "missing-mandatory", crlf(*CONTRACT, "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "Get-RmX -Force", "exit 0"),
     crlf(*CONTRACT, "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "Get-RmX -Name:'a'", "exit 0")),
    ("PS014", "positional", crlf(*CONTRACT, "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "Get-RmX 'a'", "exit 0"),
     crlf(*CONTRACT, "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "Get-RmX -Name 'a' -ErrorAction Stop", "exit 0")),
    ("PS014", "undefined-rm-function", crlf(*CONTRACT, "Get-RmMissing -Name 'a'", "exit 0"),
     crlf(*CONTRACT, "Get-Item -LiteralPath 'a'", "exit 0")),
    ("PS015", "typo-in-function", crlf(*CONTRACT, "function Get-RmX {", "    param([string]$Name)",
     "    $value = $Name", "    $vaule", "}", "exit 0"),
     crlf(*CONTRACT, "function Get-RmX {", "    param([string]$Name)", "    $value = $Name", "    $value", "}",
          "exit 0")),
    ("PS015", "script-level", crlf(*CONTRACT, "$x = $y", "exit 0"),
     crlf(*CONTRACT, "$y = 1", "$x = $y + $env:windir", "foreach ($i in @(1)) { $x = $i + $_ }", "exit 0")),
    ("PS014", "defined-twice", crlf(*CONTRACT, "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "exit 0"), crlf(*CONTRACT, "function Get-RmX {", "    param([Parameter(Mandatory = $true)][string]$Name, [switch]$Force)", "    $Name", "}", "exit 0")),
    # Windows PowerShell 5.1 / .NET Framework 4.7.2 (remediate/pscompat.py, data/ps51.json.gz).
    ("PS016", "ps7-only-cmdlet", ps("$a = Get-Uptime"), ps("$a = Get-Date")),
    ("PS016", "own-function-and-native-ok", ps("$a = Get-Error"),
     ps("function Get-Error { 1 }", "$a = Get-Error", "$b = dsregcmd.exe /status")),
    ("PS017", "ps7-only-parameter", ps("$a = Get-Content -Path x -AsByteStream"),
     ps("$a = Get-Content -Path x -Encoding Byte")),
    ("PS017", "progressaction-is-7.4", ps("$a = Get-Item -LiteralPath x -ProgressAction Ignore"),
     ps("$a = Get-Item -LiteralPath x -ea SilentlyContinue -WarningAction Ignore")),
    ("PS017", "ambiguous-prefix", ps("$a = Get-ChildItem -Path x -Fi y"), ps("$a = Get-ChildItem -Pa x -Filt y")),
    ("PS017", "no-additionalchildpath", ps("$p = Join-Path -Path a -ChildPath b -AdditionalChildPath c"),
     ps("$p = Join-Path -Path a -ChildPath b")),
    ("PS018", "winrt-type-needs-its-load",
     ps("$t = [Windows.UI.Notifications.ToastTemplateType]::ToastText02"),
     ps("$m = [Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]",
        "$t = [Windows.UI.Notifications.ToastTemplateType]::ToastText02",
        "$x = $m::GetTemplateContent($t)", "$n = New-Object Windows.UI.Notifications.ToastNotification($x)")),
    ("PS018", "ps7-accelerator", ps("$v = [semver]'1.0.0'"), ps("$v = [version]'1.0.0'")),
    ("PS018", "uint-is-7", ps("$v = [uint]5"), ps("$v = [uint32]5", "$w = [IO.Path]::GetTempPath()")),
    ("PS018", "net-core-type", ps("$q = New-Object -TypeName 'System.Collections.Generic.PriorityQueue[string,int]'"),
     ps("$q = New-Object -TypeName 'System.Collections.Generic.Dictionary[string,int]'")),
    ("PS018", "generic-argument", ps("$l = [System.Collections.Generic.List[Foo.Bar]]::new()"),
     ps("$l = [System.Collections.Generic.List[System.IO.FileInfo]]::new()")),
    ("PS019", "net-core-static", ps("$p = [System.IO.Path]::GetRelativePath('a', 'b')"),
     ps("$p = [System.IO.Path]::GetFileName('a')")),
    ("PS019", "tls13-is-4.8", ps("$t = [System.Net.SecurityProtocolType]::Tls13"),
     ps("$t = [System.Net.SecurityProtocolType]::Tls12", "$e = [int]::Equals(1, 1)")),
    ("PS019", "ctor-arity-new", ps("$b = [System.Text.StringBuilder]::new(1, 2, 3)"),
     ps("$b = [System.Text.StringBuilder]::new(1, 2)")),
    ("PS019", "ctor-arity-new-object", ps("$m = New-Object System.Threading.Mutex($false, 'a', $true, $null, 5)"),
     ps("$m = New-Object System.Threading.Mutex($false, 'a')", "$d = New-Object -TypeName System.DateTime")),
    ("PS020", "http-without-add-type", ps("$c = New-Object -TypeName System.Net.Http.HttpClient"),
     ps("Add-Type -AssemblyName System.Net.Http", "$c = New-Object -TypeName System.Net.Http.HttpClient")),
    ("PS020", "add-type-after-use", ps("$z = [System.IO.Compression.ZipFile]",
                                       "Add-Type -AssemblyName System.IO.Compression.FileSystem"),
     ps("Add-Type -AssemblyName System.IO.Compression.FileSystem", "$z = [System.IO.Compression.ZipFile]")),
    # 5.1-versus-7 traps (remediate/pstraps.py).
    ("PS021", "out-file-default", ps("'x' | Out-File -FilePath a.txt"),
     ps("'x' | Out-File -FilePath a.txt -Encoding ascii")),
    ("PS021", "utf8nobom-is-7", ps("Set-Content -Path a.txt -Value 1 -Encoding utf8NoBOM"),
     ps("Set-Content -Path a.txt -Value 1 -Enc UTF8")),
    ("PS021", "redirection", ps("Get-Date > a.txt"), ps("Get-Date > $null", "Get-Date 2>&1")),
    ("PS022", "json-default-depth", ps(A, "$j = $a | ConvertTo-Json"),
     ps(A, "$j = ConvertTo-Json -InputObject $a -Depth 5 -Compress")),
    ("PS023", "three-segments", ps("$p = Join-Path 'a' 'b' 'c'"), ps("$p = Join-Path 'a' 'b'", "$q = Join-Path a b -Resolve")),
    ("PS023", "named-plus-positional", ps("$p = Join-Path -Path a -ChildPath b c"),
     ps("$p = Join-Path -Path a -ChildPath (Join-Path b c)")),
]


@pytest.mark.parametrize(("rule", "bad", "good"), [pytest.param(r, b, g, id=f"{r}-{i}") for r, i, b, g in CASES])
def test_rule_fires_on_bad_and_is_silent_on_good(rule: str, bad: bytes, good: bytes) -> None:
    assert rule in rule_ids(bad)
    assert lint.lint_bytes(good) == []


@pytest.mark.parametrize("name", sorted(lint.FORBIDDEN_COMMANDS))
def test_every_forbidden_command_fires(name: str) -> None:
    assert rule_ids(ps(f"{name} 'x'")) == ["PS007"]


BRIEF_ALIASES = ("% ? gci ls dir rm del iex cat echo sc gc select where foreach sort cd cp mv ps kill curl wget "
                 "irm iwr icm gp sp ni ri gi").split()


@pytest.mark.parametrize("alias", BRIEF_ALIASES)
def test_alias_fires(alias: str) -> None:
    # Pipeline position: at the start of a statement `foreach` is the keyword, in PowerShell as in the grammar.
    assert rule_ids(ps(f"@() | {alias} x")) == ["PS008"]


def test_every_rule_has_a_case() -> None:
    assert {rule for rule, *_ in CASES} == {r.id for r in lint.RULES}


def test_rule_ids_are_unique_and_messages_present() -> None:
    ids = [r.id for r in lint.RULES]
    assert len(ids) == len(set(ids)) and all(r.message for r in lint.RULES)


# --- positions and output format -------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "rule", "where"), [
    pytest.param(ps("$a = 'caf\u00e9'"), "PS002", (3, 10), id="non-ascii-column"),
    pytest.param(b"\xef\xbb\xbf" + ps(), "PS003", (1, 1), id="bom"),
    pytest.param(ps("$a = 1", "$b = 2").replace(b"$b = 2\r\n", b"$b = 2\n"), "PS004", (4, 7), id="bare-lf"),
    pytest.param(ps("if ($a) { 1 "), "PS001", (4, 7), id="missing-brace-after-last-line"),
    pytest.param(ps("$b = $a ?? 2"), "PS006", (3, 9), id="coalesce-operator-token"),
    pytest.param(ps("$b = $a ? 1 : 2"), "PS006", (3, 9), id="ternary-operator-token"),
    pytest.param(ps("$b = ${a}?.Length"), "PS006", (3, 10), id="null-conditional"),
    pytest.param(ps("function F { Remove-Item x }"), "PS011", (3, 14), id="remove-item"),
    pytest.param(ps("if ($a) { exit 1 }"), "PS010", (4, 1), id="second-exit"),
])
def test_issue_position(data: bytes, rule: str, where: tuple[int, int]) -> None:
    found = [(i.line, i.col) for i in lint.lint_bytes(data) if i.rule == rule]
    assert found == [where]


def test_issue_str_format() -> None:
    issue = lint.LintIssue("a.ps1", 3, 7, "PS007", "forbidden command")
    assert str(issue) == "a.ps1:3:7: PS007 forbidden command"


def test_lint_bytes_names_path_and_detail() -> None:
    [issue] = lint.lint_bytes(ps("Write-Host 'x'"), "pkg/detect.ps1")
    assert str(issue).startswith("pkg/detect.ps1:3:1: PS007 ")
    assert issue.message.endswith("(write-host)")


def test_issues_are_sorted_by_position() -> None:
    issues = lint.lint_bytes(crlf("Write-Host 1", "return", "Write-Host 2"))
    assert [(i.line, i.rule) for i in issues] == sorted((i.line, i.rule) for i in issues)


# --- realistic scripts -----------------------------------------------------------------------------------

CLEAN_SCRIPT = (
    "<#",
    ".SYNOPSIS",
    "    Detect a disabled TLS 1.2 client (lint sample: every construct our templates use).",
    ".DESCRIPTION",
    "    Reads registry values, builds one result object and writes one JSON line.",
    "#>",
    "[CmdletBinding(SupportsShouldProcess = $true)]",
    "param()",
    "$ErrorActionPreference = 'Stop'",
    "Set-StrictMode -Version 3.0",
    "",
    "function Get-RmRegistryValue {",
    "    <#",
    "    .SYNOPSIS",
    "        Read one registry value, or $null when it is absent.",
    "    #>",
    "    [CmdletBinding()]",
    "    param(",
    "        [Parameter(Mandatory = $true)][string]$Path,",
    "        [Parameter(Mandatory = $true)][string]$Name",
    "    )",
    "    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue",
    "    if ($null -eq $item) { return $null }",
    "    return $item.$Name",
    "}",
    "",
    "function Remove-RmQuarantineItem {",
    "    [CmdletBinding(SupportsShouldProcess = $true)]",
    "    param([string]$LiteralPath)",
    "    if ($PSCmdlet.ShouldProcess($LiteralPath, 'Remove')) {",
    "        Remove-Item -LiteralPath $LiteralPath -Recurse -Force",
    "    }",
    "}",
    "",
    "function Write-RmResult {",
    "    param([System.Collections.Specialized.OrderedDictionary]$Result, [int]$Code)",
    "    $json = $Result | ConvertTo-Json -Compress -Depth 5",
    "    Write-Output $json",
    "    exit $Code",
    "}",
    "",
    "$result = [ordered]@{ schema = 1; status = 'unknown'; findings = @() }",
    "$note = @'",
    "It's a \"here-string\" with ?? and && inside: no operators here.",
    "'@",
    "$exitCode = 1",
    "try {",
    "    $keys = @('TLS 1.2\\Client', 'TLS 1.3\\Client')",
    "    foreach ($key in $keys) {",
    "        $path = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\{0}' -f $key",
    "        $enabled = Get-RmRegistryValue -Path $path -Name 'Enabled'",
    "        switch ($enabled) {",
    "            0 { $result.findings += @{ key = $key; state = 'disabled' } }",
    "            default { Write-Verbose ('{0} is not disabled' -f $key) }",
    "        }",
    "    }",
    "    $bad = @($result.findings | Where-Object { $_.state -eq 'disabled' -and $null -ne $_.key })",
    "    $result.status = if ($bad.Count -gt 0 -or $note.Length -eq 0) { 'issue' } else { 'ok' }",
    "    if ($result.status -eq 'ok') { $exitCode = 0 }",
    "}",
    "catch {",
    "    $result.status = 'error'",
    "    $result.error = $_.Exception.Message",
    "}",
    "finally {",
    "    $result.checkedAt = (Get-Date).ToUniversalTime().ToString('o')",
    "}",
    "Write-RmResult -Result $result -Code $exitCode",
)

SIGNATURE_BLOCK = (
    "# SIG # Begin signature block",
    "# MIIFuQYJKoZIhvcNAQcCoIIFqjCCBaYCAQExCzAJBgUrDgMCGgUAMGkGCisGAQQB",
    "# gjcCAQSgWzBZMDQGCisGAQQBgjcCAR4wJgIDAQAABBAfzDtgWUsITrck0sYpfvNR",
    "# SIG # End signature block",
)


def test_realistic_clean_script_has_no_issues() -> None:
    assert lint.lint_bytes(crlf(*CLEAN_SCRIPT), "clean.ps1") == []


def test_signature_block_is_accepted() -> None:
    assert lint.lint_bytes(crlf(*CLEAN_SCRIPT, *SIGNATURE_BLOCK)) == []


def test_realistic_script_with_lf_endings_gets_one_issue() -> None:
    data = crlf(*CLEAN_SCRIPT).replace(b"\r\n", b"\n")
    assert rule_ids(data) == ["PS004"]


# --- lint_paths ------------------------------------------------------------------------------------------


def test_lint_paths_walks_directories_sorted_and_takes_files_as_given(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "b").mkdir(parents=True)
    (tmp_path / "pkg" / "b" / "detect.ps1").write_bytes(ps("Write-Host 1"))
    (tmp_path / "pkg" / "a.PS1").write_bytes(ps("return"))
    (tmp_path / "pkg" / "notes.txt").write_bytes(b"Write-Host")
    loose = tmp_path / "loose.ps1"
    loose.write_bytes(ps("pause"))
    issues = lint.lint_paths([tmp_path / "pkg", loose])
    assert [(Path(i.path).name, i.rule) for i in issues] == [("a.PS1", "PS009"), ("detect.ps1", "PS007"),
                                                            ("loose.ps1", "PS007")]
    with pytest.raises(ConfigError, match="not a PowerShell script"):  # .ps1 only, even when named
        lint.lint_paths([tmp_path / "pkg" / "notes.txt"])


def test_lint_paths_clean_directory(tmp_path: Path) -> None:
    (tmp_path / "clean.ps1").write_bytes(crlf(*CLEAN_SCRIPT))
    assert lint.lint_paths([tmp_path]) == []


def test_lint_paths_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing.ps1"):
        lint.lint_paths([tmp_path / "missing.ps1"])


# --- pwsh wrapper ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "value"), [
    pytest.param("'plain'", "plain", id="plain"),
    pytest.param("'it''s'", "it's", id="doubled-quote"),
    pytest.param("''", "", id="empty"),
    pytest.param("''''", "'", id="only-a-quote"),
    pytest.param("'it\u2019\u2019s'", "it\u2019s", id="doubled-smart-quote"),
    pytest.param("'a\u2018\u2019b'", "a\u2019b", id="mixed-smart-pair-keeps-second"),
    pytest.param("@'\r\nline 'one'\r\nline two\r\n'@", "line 'one'\r\nline two", id="here-string"),
])
def test_string_literal_value(source: str, value: str) -> None:
    data = f"$x = {source}".encode("utf-8")
    [node] = pwsh.iter_nodes(pwsh.parse(data), "string_literal")
    assert pwsh.string_literal_value(node, data) == value


def test_string_literal_value_rejects_expandable_strings() -> None:
    data = b'$x = "a"'
    [node] = pwsh.iter_nodes(pwsh.parse(data), "string_literal")
    with pytest.raises(ValueError):
        pwsh.string_literal_value(node, data)


def test_deepest_error_clean_is_none() -> None:
    assert pwsh.deepest_error(pwsh.parse(crlf(*CLEAN_SCRIPT))) is None


def test_deepest_error_points_at_missing_node() -> None:
    # The MISSING '}' is zero-width at the end of the block, not at the start of the file.
    assert pwsh.deepest_error(pwsh.parse(b"$a = 1\r\nif ($a) { 1 ")) == (2, 12)


def test_iter_nodes_in_document_order() -> None:
    data = b"$a = 1; $b = 2; $c = 3"
    names = [pwsh.node_text(n, data) for n in pwsh.iter_nodes(pwsh.parse(data), "variable")]
    assert names == ["$a", "$b", "$c"]


def test_parser_is_cached() -> None:
    assert pwsh._parser() is pwsh._parser()


# --- grammar quirks (pwsh.py docstring): if one of these starts failing, the grammar changed --------------


def test_quirk_lone_try_parses_cleanly() -> None:
    assert not pwsh.parse(b"try { 1 }").root_node.has_error


def test_quirk_switch_clauses_on_one_line_are_flagged() -> None:
    assert pwsh.parse(b"switch ($a) { 1 { 'a' } 2 { 'b' } }").root_node.has_error
    assert not pwsh.parse(b"switch ($a) {\r\n1 { 'a' }\r\n2 { 'b' }\r\n}").root_node.has_error


def test_quirk_null_conditional_is_an_error_node() -> None:
    tree = pwsh.parse(b"${a}?.Length")
    assert tree.root_node.has_error and list(pwsh.iter_nodes(tree, "ERROR"))


@pytest.mark.parametrize("source", ["$a ? 1 : 2", "$a ?? 2", "$a ??= 2", "a && b", "a || b"])
def test_quirk_other_ps7_operators_parse_cleanly(source: str) -> None:
    assert not pwsh.parse(source.encode()).root_node.has_error


def test_quirk_smart_quotes_are_not_string_delimiters() -> None:
    data = "$a = \u2018x\u2019".encode("utf-8")
    tree = pwsh.parse(data)
    assert [pwsh.node_text(n, data) for n in pwsh.iter_nodes(tree, "command_name")]
    assert not list(pwsh.iter_nodes(tree, "string_literal"))


def test_quirk_ascii_then_smart_quote_ends_the_string() -> None:
    # PowerShell reads 'a'\u2018b' as one string a\u2018b; the grammar ends it after 'a'.
    data = "$x = 'a'\u2018b'".encode("utf-8")
    tree = pwsh.parse(data)
    assert tree.root_node.has_error
    assert [pwsh.node_text(n, data) for n in pwsh.iter_nodes(tree, "string_literal")] == ["'a'"]


def test_quirk_foreach_range_is_a_command_name() -> None:
    data = b"foreach ($i in 1..3) { $i }"
    names = [pwsh.node_text(n, data) for n in pwsh.iter_nodes(pwsh.parse(data), "command_name")]
    assert names == ["1..3"]
