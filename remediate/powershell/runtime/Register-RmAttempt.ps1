function Register-RmAttempt {
    <#
    .SYNOPSIS
    Records the outcome of a fix attempt: success clears the counter, failure bumps it and sets the cooldown.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$State,
        [Parameter(Mandatory = $true)][string]$Id,
        [Parameter(Mandatory = $true)][bool]$Succeeded
    )
    $now = (Get-RmOsTime)
    $State[$Id + '.last'] = Get-RmStamp -Time $now
    if ($Succeeded) {
        Clear-RmFailure -State $State -Id $Id
        return
    }
    $failures = 1
    if ($State.ContainsKey($Id + '.failures')) {
        $failures = [int]$State[$Id + '.failures'] + 1
    }
    $minutes = [Math]::Min($RmConfig.CooldownMinutes * [Math]::Pow(2, $failures - 1), $RmConfig.CooldownMaxHours * 60)
    $State[$Id + '.failures'] = [string]$failures
    $State[$Id + '.next'] = Get-RmStamp -Time ($now.AddMinutes($minutes))
}
