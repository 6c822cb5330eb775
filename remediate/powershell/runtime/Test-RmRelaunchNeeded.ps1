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
    if ($env:REMEDIATE_RELAUNCHED -eq '1' -or -not (Get-RmScriptPath)) {
        return $false
    }
    return $true
}
