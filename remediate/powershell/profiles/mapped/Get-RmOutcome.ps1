function Get-RmOutcome {
    <#
    .SYNOPSIS
    The row of the profile table for a result: a mapped reason (needs_attention, mutex_busy) before the
    verdict; anything unknown is 'error'. Mirrored by remediate.rmm.outcome_of.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result)
    $reason = ''
    if ($Result.Contains('reason') -and $null -ne $Result['reason']) {
        $reason = [string]$Result['reason']
    }
    if ($RmOutput.Reasons -contains $reason) {
        return $reason
    }
    $verdict = [string]$Result['verdict']
    if ($RmOutput.Outcomes.Contains($verdict)) {
        return $verdict
    }
    return 'error'
}
