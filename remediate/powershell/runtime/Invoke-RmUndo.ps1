function Invoke-RmUndo {
    <#
    .SYNOPSIS
    The undo run: puts back the registry values and quarantined items of the package, newest first.
    .DESCRIPTION
    Same guards as a remediation (context, trusted data root, the package's mutex). Findings: 'registry' and
    'quarantine' (fixed when something went back, pass when nothing was left to undo, failed when an item
    could not go back) and 'state' (advisory: the checks held back by backoff or needs_attention). Dry-run
    (REMEDIATE_DRY_RUN=1) changes nothing and reports what would go back: that is `remediate state show`.
    The backoff state is kept: a scheduled remediation would otherwise fix the same thing again at once.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    $started = [DateTime]::UtcNow
    $result = New-RmResult -Context $Context
    $problem = Get-RmContextProblem -Context $Context
    if ($problem) {
        $result.verdict = $problem
        $result.reason = 'wrong_context'
        return $result
    }
    $untrusted = Initialize-RmDataRoot
    if ($untrusted) {
        $result.reason = $untrusted
        return $result
    }
    $mutexName = $RmConfig.MutexName
    if ($RmConfig.RunAs -eq 'user') {
        $mutexName = $mutexName + '-' + $Context.Sid
    }
    $mutex = Enter-RmMutex -Name $mutexName
    if ($null -eq $mutex) {
        $result.verdict = 'skipped'
        $result.reason = 'mutex_busy'
        return $result
    }
    try {
        $registry = Restore-RmRegistryBackup -WhatIf:([bool]$RmConfig.DryRun)
        $files = Restore-RmQuarantine -WhatIf:([bool]$RmConfig.DryRun)
        $held = Get-RmStateSummary
    }
    finally {
        Exit-RmMutex -Mutex $mutex
    }
    $findings = @(
        (New-RmUndoFinding -Id 'registry' -Counts $registry),
        (New-RmUndoFinding -Id 'quarantine' -Counts $files),
        (New-RmFinding -Id 'state' -State 'advisory' -Reason 'backoff_state' -Facts $held)
    )
    $result.findings = $findings
    $result.failing = @($findings | Where-Object { Test-RmFindingOpen -Finding $_ } | ForEach-Object { $_.id })
    $result.verdict = Get-RmVerdict -Findings $findings
    $result.duration_ms = [int]([DateTime]::UtcNow - $started).TotalMilliseconds
    return $result
}
