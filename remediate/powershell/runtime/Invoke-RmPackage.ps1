function Invoke-RmPackage {
    <#
    .SYNOPSIS
    The whole run: context check, mutex (remediation only), the checks, the state file, the verdict.
    #>
    param(
        [Parameter(Mandatory = $true)][object[]]$Checks,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context
    )
    $started = [DateTime]::UtcNow
    $result = New-RmResult -Context $Context
    # Cache: slow read-only probes a check reads once per run (its verification after a fix reuses them).
    $run = [ordered]@{ Context = $Context; Evidence = [ordered]@{}; State = @{}; Cache = @{} }
    $problem = Get-RmContextProblem -Context $Context
    if ($problem) {
        $result.verdict = $problem
        $result.reason = 'wrong_context'
        return $result
    }
    $untrusted = Initialize-RmDataRoot
    if ($untrusted) {
        $result.verdict = 'error'
        $result.reason = $untrusted
        return $result
    }
    $mutex = $null
    if ($RmConfig.Phase -eq 'remediate') {
        # One device package run per device whoever starts it (Intune as SYSTEM, a technician as admin);
        # one user package run per user.
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
    }
    try {
        $run.State = Get-RmState
        $findings = @(Invoke-RmCheckList -Checks $Checks -Run $run)
        if ($RmConfig.Phase -eq 'remediate' -and -not $RmConfig.DryRun) {
            Save-RmState -State $run.State
            Clear-RmQuarantine
        }
    }
    finally {
        Exit-RmMutex -Mutex $mutex
    }
    foreach ($finding in $findings) {
        # A detection's plan is for the remediation only; it never goes into the result line.
        if ($finding.Contains('plan')) {
            $finding.Remove('plan')
        }
    }
    $result.findings = $findings
    $result.failing = @($findings | Where-Object { Test-RmFindingOpen -Finding $_ } | ForEach-Object { $_.id })
    $result.verdict = Get-RmVerdict -Findings $findings
    if (@($findings | Where-Object { $_.reason -eq 'needs_attention' }).Count -gt 0) {
        $result.reason = 'needs_attention'
    }
    $result.evidence = $run.Evidence
    $result.duration_ms = [int]([DateTime]::UtcNow - $started).TotalMilliseconds
    return $result
}
