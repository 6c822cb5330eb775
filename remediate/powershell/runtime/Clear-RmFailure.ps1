function Clear-RmFailure {
    <#
    .SYNOPSIS
    Forgets a check's failed attempts: after a verified fix, when the check passes on its own, or on expiry.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$State,
        [Parameter(Mandatory = $true)][string]$Id
    )
    $null = $State.Remove($Id + '.failures')
    $null = $State.Remove($Id + '.next')
}
