# Runs PSScriptAnalyzer for `remediate lint` (remediate/pssa.py): the paths to analyse come on stdin, one per
# line; the answer is one JSON line on stdout: {"available": false, "reason": "..."} when the module is missing,
# else {"available": true, "version": "...", "findings": [{path, line, column, rule, severity, message}]}.
param(
    [Parameter(Mandatory = $true)][string]$Settings
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

function ConvertTo-RmAnalyzerFinding {
    <#
    .SYNOPSIS
    One PSScriptAnalyzer DiagnosticRecord as the plain object remediate/pssa.py reads.
    #>
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param([Parameter(Mandatory = $true)][object]$Record)
    $column = 1
    if ($null -ne $Record.Extent) {
        $column = $Record.Extent.StartColumnNumber
    }
    return [ordered]@{
        path     = [string]$Record.ScriptPath
        line     = [int]$Record.Line
        column   = [int]$column
        rule     = [string]$Record.RuleName
        severity = [string]$Record.Severity
        message  = [string]$Record.Message
    }
}

$module = Get-Module -ListAvailable -Name PSScriptAnalyzer | Sort-Object -Property Version -Descending | Select-Object -First 1
if ($null -eq $module) {
    Write-Output (ConvertTo-Json -InputObject ([ordered]@{ available = $false; reason = 'no PSScriptAnalyzer module' }) -Compress -Depth 3)
    exit 0
}
Import-Module -Name $module.Path
$findings = New-Object System.Collections.Generic.List[object]
$paths = @([Console]::In.ReadToEnd() -split "`r?`n" | Where-Object { $_ })
foreach ($path in $paths) {
    foreach ($record in @(Invoke-ScriptAnalyzer -Path $path -Recurse -Settings $Settings)) {
        $findings.Add((ConvertTo-RmAnalyzerFinding -Record $record))
    }
}
$answer = [ordered]@{ available = $true; version = [string]$module.Version; findings = $findings.ToArray() }
Write-Output (ConvertTo-Json -InputObject $answer -Compress -Depth 4)
