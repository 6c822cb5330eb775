function Test-RmBackoff {
    <#
    .SYNOPSIS
    Whether a fix may be attempted now: 'ok', 'backoff' (cooldown running) or 'needs_attention'.
    .DESCRIPTION
    After each failed attempt the cooldown doubles (CooldownMinutes, 2x, 4x ...), capped at CooldownMaxHours.
    After MaxAttempts failures the check stops fixing until the state file is reset.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$State,
        [Parameter(Mandatory = $true)][string]$Id
    )
    # Failures long past are forgotten: a fleet must not stay in needs_attention for a problem of last month.
    if ($State.ContainsKey($Id + '.last')) {
        $last = ConvertFrom-RmStamp -Text $State[$Id + '.last']
        if ($last -lt (Get-RmOsTime).AddDays(-$RmConfig.FailureExpiryDays)) {
            Clear-RmFailure -State $State -Id $Id
        }
    }
    $attempts = 0
    if ($State.ContainsKey($Id + '.failures')) {
        $attempts = [int]$State[$Id + '.failures']
    }
    if ($attempts -ge $RmConfig.MaxAttempts) {
        return 'needs_attention'
    }
    if ($State.ContainsKey($Id + '.next')) {
        $next = ConvertFrom-RmStamp -Text $State[$Id + '.next']
        if ((Get-RmOsTime) -lt $next) {
            return 'backoff'
        }
    }
    return 'ok'
}
