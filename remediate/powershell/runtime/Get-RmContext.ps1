function Get-RmContext {
    <#
    .SYNOPSIS
    Who and where this script runs: SYSTEM, an administrator, an interactive user; bitness; computer name.
    .DESCRIPTION
    Interactive means the token carries the INTERACTIVE group (S-1-5-4): true for the signed-in user's
    session (Intune user context, a scheduled task with LogonType Interactive) and false for SYSTEM and for
    a WinRM network logon, which would otherwise act on the admin's profile instead of the user's.
    #>
    $identity = Get-RmOsIdentity
    $isSystem = ($identity.Sid -eq 'S-1-5-18')
    $account = 'other'
    if ($isSystem) {
        $account = 'system'
    }
    elseif ($identity.Groups -contains 'S-1-5-4') {
        $account = 'user'
    }
    return [ordered]@{
        Account = $account
        Sid = $identity.Sid
        IsSystem = $isSystem
        IsAdmin = [bool]$identity.IsAdmin
        IsInteractive = ($identity.Groups -contains 'S-1-5-4') -and -not $isSystem
        SessionId = $identity.SessionId
        Is64BitProcess = [Environment]::Is64BitProcess
        Is64BitOs = [Environment]::Is64BitOperatingSystem
        Computer = $env:COMPUTERNAME
    }
}

function Test-RmRelaunchNeeded {
    <#
    .SYNOPSIS
    Whether this is a 32-bit PowerShell on 64-bit Windows that should hand over to the 64-bit one.
    .DESCRIPTION
    RMM agents and Intune's 32-bit setting start the 32-bit host, whose registry and System32 views are
    redirected. Relaunch only from a script file, and only once (REMEDIATE_RELAUNCHED guards the loop).
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    if ($Context.Is64BitProcess -or -not $Context.Is64BitOs) {
        return $false
    }
    if ($env:REMEDIATE_RELAUNCHED -eq '1' -or -not $PSCommandPath) {
        return $false
    }
    return $true
}

function Invoke-RmSelf64 {
    <#
    .SYNOPSIS
    Runs this same script file in 64-bit Windows PowerShell through sysnative and returns its last output
    line and exit code, so that the caller passes them on unchanged through the single exit point.
    #>
    $powershell = Join-Path $env:windir 'sysnative\WindowsPowerShell\v1.0\powershell.exe'
    $env:REMEDIATE_RELAUNCHED = '1'
    $lines = @(& $powershell -NoProfile -ExecutionPolicy Bypass -File $PSCommandPath)
    $code = $LASTEXITCODE
    $last = ''
    if ($lines.Count -gt 0) {
        $last = [string]$lines[$lines.Count - 1]
    }
    return [ordered]@{ Raw = $last; ExitCode = $code }
}
