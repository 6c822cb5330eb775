function Confirm-RmRepair {
    <#
    .SYNOPSIS
    Turns a repair outcome into the final finding: verified 'fixed', 'failed', or the repair's own
    'deferred'/'skipped' answer. Failures feed the backoff state. A repair that carries 'pending' (a reason)
    and does not verify yet is 'deferred' with that reason: it may still take effect, so it costs no attempt.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Repair
    )
    if (@('deferred', 'skipped') -contains $Repair.state) {
        return $Repair
    }
    if ($Repair.state -eq 'failed' -or $Repair.state -eq 'error') {
        Register-RmAttempt -State $Run.State -Id $Check.Id -Succeeded $false
        return New-RmFinding -Id $Check.Id -State 'failed' -Reason $Repair.reason -Facts $Repair.facts
    }
    $after = Invoke-RmDetect -Check $Check -Run $Run
    $facts = $Repair.facts
    # 'advisory' after a fix: the fixable part is gone and only something nothing local can fix remains.
    if ($after.state -eq 'pass' -or $after.state -eq 'advisory') {
        Register-RmAttempt -State $Run.State -Id $Check.Id -Succeeded $true
        return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Repair.reason -Facts $facts
    }
    $facts['after'] = $after.reason
    if ($Repair.Contains('pending')) {
        # The fix takes effect later (the repair says why): deferred, and no attempt is counted for backoff.
        return New-RmFinding -Id $Check.Id -State 'deferred' -Reason $Repair.pending -Facts $facts
    }
    Register-RmAttempt -State $Run.State -Id $Check.Id -Succeeded $false
    return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'still_failing' -Facts $facts
}
