function Invoke-RmRepairStep {
    <#
    .SYNOPSIS
    Re-detects one check, applies its fix when allowed, and verifies the fix by detecting again.
    .DESCRIPTION
    Intune passes nothing from the detection script to the remediation script, so the remediation detects
    again before it acts. A fix runs only for a failing check whose tier allows it, outside its backoff
    cooldown and below the attempt limit. In dry-run the fix runs under -WhatIf and reports what it would do.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $before = Invoke-RmDetect -Check $Check -Run $Run
    if ($before.state -eq 'pass') {
        # Passing on its own (someone fixed it, or it was transient): earlier failures no longer count.
        Clear-RmFailure -State $Run.State -Id $Check.Id
    }
    if ($before.state -ne 'fail') {
        return $before
    }
    $facts = $before.facts
    $facts['detected'] = $before.reason
    if (-not $Check.Repair) {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'advisory_only' -Facts $facts
    }
    if (-not $Check.Fix) {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'not_enabled' -Facts $facts
    }
    $gate = Test-RmBackoff -State $Run.State -Id $Check.Id
    if ($gate -ne 'ok') {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason $gate -Facts $facts
    }
    if ($RmConfig.DryRun) {
        $WhatIfPreference = $true
    }
    try {
        $repair = Select-RmFinding -Output @(& $Check.Repair -Check $Check -Run $Run -Finding $before) -Id $Check.Id
    }
    catch {
        $repair = New-RmFinding -Id $Check.Id -State 'failed' -Reason 'unhandled_error' -Facts ([ordered]@{ message = $_.Exception.Message })
    }
    Write-RmLog -Message ($Check.Id + ': repair ' + $repair.state + ' ' + $repair.reason)
    if ($RmConfig.DryRun) {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'dry_run' -Facts $repair.facts
    }
    return Confirm-RmRepair -Check $Check -Run $Run -Repair $repair
}
