function Invoke-RmUserPackage {
    <#
    .SYNOPSIS
    Runs the embedded user package and returns its JSON line and exit code, for the caller to format.
    .DESCRIPTION
    As SYSTEM (what RMM agents run as) the package must act on the signed-in user's profile, not
    SYSTEM's: it goes through the interactive-user launcher (remediate/powershell/
    launcher/Invoke-RmAsInteractiveUser.ps1, embedded), which answers skipped/no_interactive_user when nobody is
    signed in. Started in the user's session already (an RMM's "run as logged-on user"), it runs directly.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Inputs,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context
    )
    $payload = Get-RmUserPayload -Inputs $Inputs
    if ($Context.Account -ne 'system') {
        return (Invoke-RmScriptFile -Text $payload -Name 'user-package')
    }
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::ASCII.GetBytes($payload))
    $launcher = (Expand-RmPackedText -Chunks $RmUserLaunch.Launcher).Replace($RmUserLaunch.Token, $encoded)
    return (Invoke-RmScriptFile -Text $launcher -Name 'user-launcher')
}
