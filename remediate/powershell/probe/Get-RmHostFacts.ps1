# remediate doctor: what a host offers the generated scripts (loaded by name by remediate/doctor.py; read-only).
# One JSON line: PowerShell version and edition, language mode, 64-bit process, administrator, computer name.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$RmFacts = [ordered]@{
    ps_version = [string]$PSVersionTable.PSVersion
    edition = [string]$PSVersionTable.PSEdition
    language_mode = [string]$ExecutionContext.SessionState.LanguageMode
    is64 = [Environment]::Is64BitProcess
    computer = [string]$env:COMPUTERNAME
}
if ($RmFacts.language_mode -eq 'FullLanguage') {
    $RmPrincipal = New-Object System.Security.Principal.WindowsPrincipal([System.Security.Principal.WindowsIdentity]::GetCurrent())
    $RmFacts['admin'] = $RmPrincipal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}
Write-Output (ConvertTo-Json -InputObject $RmFacts -Compress)
