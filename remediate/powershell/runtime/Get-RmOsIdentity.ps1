function Get-RmOsIdentity {
    <#
    .SYNOPSIS
    OS seam: the account this script runs as: SID, group SIDs, administrator or not, logon session.
    .DESCRIPTION
    One of the few functions through which the scripts touch Windows (docs/simulated-windows.md); tests
    replace exactly these with a simulated Windows, so each stays a thin wrapper with no logic of its own.
    #>
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object System.Security.Principal.WindowsPrincipal($identity)
    return [ordered]@{
        Sid = $identity.User.Value
        Groups = @($identity.Groups | ForEach-Object { $_.Value })
        IsAdmin = $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
        SessionId = [System.Diagnostics.Process]::GetCurrentProcess().SessionId
    }
}
