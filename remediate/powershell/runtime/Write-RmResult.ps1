function New-RmResult {
    <#
    .SYNOPSIS
    Starts the result object of this run; the schema is defined in remediate/results.py.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'builds an in-memory result object; changes nothing on the system')]
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    return [ordered]@{
        schema_version = $RmSchema.Version
        tool = $RmConfig.Tool
        package = $RmConfig.Package
        phase = $RmConfig.Phase
        verdict = 'error'
        reason = ''
        context = $Context.Account
        computer = $Context.Computer
        dry_run = [bool]$RmConfig.DryRun
        duration_ms = 0
        failing = @()
        findings = @()
        evidence = [ordered]@{}
    }
}

function Get-RmShrunkResult {
    <#
    .SYNOPSIS
    Applies shrinking steps 1..Step to a result that does not fit; $null when no step is left.
    .DESCRIPTION
    Intune keeps the last 2,048 characters of the last line. The steps drop detail in a fixed order so the
    same result always shrinks the same way, and the verdict and the failing check ids survive to the end:
    1 facts, 2 evidence, 3 passing/skipped/advisory findings, 4 reasons, 5 every finding.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result,
        [Parameter(Mandatory = $true)][int]$Step
    )
    if ($Step -gt 5) {
        return $null
    }
    $copy = [ordered]@{}
    foreach ($key in $Result.Keys) {
        $copy[$key] = $Result[$key]
    }
    $copy['truncated'] = $true
    $findings = @($Result.findings)
    if ($Step -ge 2) {
        $copy['evidence'] = [ordered]@{}
    }
    if ($Step -ge 3) {
        $findings = @($findings | Where-Object { @('pass', 'skipped', 'advisory') -notcontains $_.state })
    }
    if ($Step -ge 5) {
        $findings = @()
        $copy['reason'] = 'truncated'
    }
    $short = New-Object System.Collections.Generic.List[object]
    foreach ($f in $findings) {
        $entry = [ordered]@{ id = $f.id; state = $f.state }
        if ($Step -lt 4) {
            $entry['reason'] = $f.reason
        }
        $short.Add($entry)
    }
    $copy['findings'] = $short.ToArray()
    return $copy
}

function Format-RmResultLine {
    <#
    .SYNOPSIS
    The result as one compact JSON line of at most MaxChars (2,048) characters, shrunk step by step.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result)
    $line = ConvertTo-RmJson -Value $Result
    $step = 0
    while ($line.Length -gt $RmSchema.MaxChars) {
        $step += 1
        $smaller = Get-RmShrunkResult -Result $Result -Step $step
        if ($null -eq $smaller) {
            return (Get-RmMinimalResultLine -Result $Result)
        }
        $line = ConvertTo-RmJson -Value $smaller
    }
    return $line
}

function Get-RmMinimalResultLine {
    <#
    .SYNOPSIS
    The last resort when even a result without findings is too long (a huge message or host name): only the
    fixed keys, the verdict and as many failing ids as fit. Still valid JSON; cutting the text never is.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result)
    $failing = New-Object System.Collections.Generic.List[string]
    foreach ($id in @($Result.failing)) {
        $failing.Add([string]$id)
    }
    while ($true) {
        $minimal = [ordered]@{
            schema_version = $RmSchema.Version
            tool = $RmConfig.Tool
            package = $RmConfig.Package
            phase = $RmConfig.Phase
            verdict = [string]$Result.verdict
            reason = 'truncated'
            dry_run = [bool]$RmConfig.DryRun
            truncated = $true
            failing = $failing.ToArray()
            findings = @()
        }
        $line = ConvertTo-RmJson -Value $minimal
        if ($line.Length -le $RmSchema.MaxChars -or $failing.Count -eq 0) {
            return $line
        }
        $failing.RemoveAt($failing.Count - 1)
    }
}

function Write-RmResult {
    <#
    .SYNOPSIS
    Writes the result as the last output line and ends the script: this function holds its only exit.
    .DESCRIPTION
    The exit code comes from the phase and the verdict (detection: 0 compliant, 1 remediation needed;
    remediation: 0 done, 1 failed). With -Relaunch it passes on the line and exit code of the 64-bit run
    (or of the interactive-user launcher) unchanged. Format-RmProfileOutput then applies the output profile
    (intune and json: unchanged; RMM profiles: their own lines and codes). Should even serialising fail, a
    fixed minimal error output is written: never stderr.
    #>
    param(
        [AllowNull()][System.Collections.IDictionary]$Result,
        [AllowNull()][System.Collections.IDictionary]$Relaunch
    )
    try {
        if ($null -ne $Relaunch) {
            $line = [string]$Relaunch.Raw
            $code = [int]$Relaunch.ExitCode
        }
        else {
            $line = Format-RmResultLine -Result $Result
            $code = [int]$RmSchema.ExitCodes[$RmConfig.Phase + ':' + $Result.verdict]
        }
        $output = Format-RmProfileOutput -Result $Result -Line $line -ExitCode $code
        Write-RmLog -Message ('result exit ' + $output.ExitCode + ' ' + $line)
    }
    catch {
        # Constrained Language Mode blocks the JSON writer itself; say so, with what fixes it (signing).
        $reason = '"reason":"unhandled_error"'
        if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
            $reason = '"reason":"constrained_language","advice":"sign_scripts_for_wdac_or_applocker"'
        }
        $line = '{"schema_version":' + $RmSchema.Version + ',"package":"' + $RmConfig.Package + '","phase":"' + $RmConfig.Phase + '","verdict":"error",' + $reason + ',"findings":[]}'
        $output = [ordered]@{ Lines = @($line); ExitCode = 1 }
        if (-not $RmOutput.PhaseExit) {
            $output = [ordered]@{ Lines = $RmOutput.Fallback; ExitCode = $RmOutput.FallbackExit }
        }
    }
    foreach ($text in $output.Lines) {
        Write-Output $text
    }
    if ($RmOutput.HostExit) {
        # An agent that runs the file without -File (Tactical RMM: powershell.exe ... <file>, which is -Command)
        # gets exit N as 0 or 1 only; the exit code set on the host survives. Never fatal (docs/rmm.md).
        try {
            $Host.SetShouldExit($output.ExitCode)
        }
        catch {
            Write-RmLog -Message ('host exit code not set: ' + $_.Exception.Message)
        }
    }
    exit $output.ExitCode
}
