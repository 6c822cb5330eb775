function Get-RmContextProblem {
    <#
    .SYNOPSIS
    The verdict to stop with when the package runs in the wrong context, or '' when the context is right.
    .DESCRIPTION
    A user package started as SYSTEM or over WinRM would act on the wrong profile: it is skipped and changes
    nothing. A device package without administrator rights cannot read or fix the machine: that is an error.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    if ($RmConfig.RunAs -eq 'user' -and $Context.Account -ne 'user') {
        return 'skipped'
    }
    if ($RmConfig.RunAs -eq 'system' -and -not $Context.IsAdmin) {
        return 'error'
    }
    return ''
}

function Select-RmFinding {
    <#
    .SYNOPSIS
    The finding among a check function's output: its last dictionary. Stray output (an unassigned method
    result in a fragment) would otherwise turn the finding into an array.
    #>
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Output,
        [Parameter(Mandatory = $true)][string]$Id
    )
    for ($i = $Output.Count - 1; $i -ge 0; $i--) {
        if ($Output[$i] -is [System.Collections.IDictionary] -and $Output[$i].Contains('state')) {
            return $Output[$i]
        }
    }
    return New-RmFinding -Id $Id -State 'error' -Reason 'no_finding'
}

function Invoke-RmDetect {
    <#
    .SYNOPSIS
    Runs one check's detection; an exception becomes an 'error' finding instead of ending the run.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    try {
        $finding = Select-RmFinding -Output @(& $Check.Detect -Check $Check -Run $Run) -Id $Check.Id
    }
    catch {
        $finding = New-RmFinding -Id $Check.Id -State 'error' -Reason 'unhandled_error' -Facts ([ordered]@{ message = $_.Exception.Message })
    }
    # Switched off means quiet: a problem whose fix this package does not enable is reported, never
    # non-compliant (Intune would show the fleet as "Recurred" for ever).
    if ($finding.state -eq 'fail' -and -not $Check.Fix) {
        $finding.state = 'advisory'
        $finding.facts['fix'] = 'not_enabled'
    }
    Write-RmLog -Message ($Check.Id + ': detect ' + $finding.state + ' ' + $finding.reason)
    return $finding
}

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

function Test-RmFindingOpen {
    <#
    .SYNOPSIS
    Whether a finding leaves a problem in place: it counts in 'failing' and, when skipped, in the verdict.
    .DESCRIPTION
    Open: any state but pass, fixed and advisory, except a 'skipped' whose reason is not one of OpenReasons
    (e.g. not applicable). A skip for not_enabled, backoff, needs_attention, dry_run or advisory_only is open.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding)
    if (@('pass', 'fixed', 'advisory') -contains $Finding.state) {
        return $false
    }
    if ($Finding.state -eq 'skipped') {
        return ($RmSchema.OpenReasons -contains $Finding.reason)
    }
    return $true
}

function Get-RmVerdict {
    <#
    .SYNOPSIS
    The package verdict from its findings (the rules are documented in the generated README).
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Findings)
    $states = @($Findings | ForEach-Object { $_.state })
    $open = @($Findings | Where-Object { $_.state -eq 'skipped' -and (Test-RmFindingOpen -Finding $_) })
    if ($RmConfig.Phase -eq 'detect') {
        if ($states -contains 'fail') { return 'non_compliant' }
        if ($states -contains 'error') { return 'error' }
        return 'compliant'
    }
    if (($states -contains 'failed') -or ($states -contains 'error')) { return 'failed' }
    if ($states -contains 'deferred') { return 'deferred' }
    if ($open.Count -gt 0) { return 'non_compliant' }
    if ($states -contains 'fixed') { return 'remediated' }
    return 'compliant'
}

function Invoke-RmCheckList {
    <#
    .SYNOPSIS
    Runs every check of the package in ladder order (least invasive first) for the current phase.
    #>
    param(
        [Parameter(Mandatory = $true)][object[]]$Checks,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $findings = New-Object System.Collections.Generic.List[object]
    foreach ($check in $Checks) {
        if ($RmConfig.Phase -eq 'detect') {
            $findings.Add((Invoke-RmDetect -Check $check -Run $Run))
        }
        else {
            $findings.Add((Invoke-RmRepairStep -Check $check -Run $Run))
        }
    }
    return $findings.ToArray()
}

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

function New-RmErrorResult {
    <#
    .SYNOPSIS
    The result for an error that escaped every check: verdict 'error', the message in the JSON, not stderr.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'builds an in-memory result object; changes nothing on the system')]
    param([Parameter(Mandatory = $true)][System.Management.Automation.ErrorRecord]$ErrorRecord)
    $message = $ErrorRecord.Exception.Message
    Write-RmLog -Message ('unhandled error: ' + $message + ' at ' + $ErrorRecord.InvocationInfo.PositionMessage)
    return [ordered]@{
        schema_version = $RmSchema.Version
        tool = $RmConfig.Tool
        package = $RmConfig.Package
        phase = $RmConfig.Phase
        verdict = 'error'
        reason = 'unhandled_error'
        dry_run = [bool]$RmConfig.DryRun
        failing = @()
        findings = @()
        message = $message
    }
}
