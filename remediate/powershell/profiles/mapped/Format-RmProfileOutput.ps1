function ConvertFrom-RmResultLine {
    <#
    .SYNOPSIS
    The summary (package, phase, verdict, reason, computer, failing, duration_ms) of a relayed JSON result
    line; verdict 'error' when the line is not readable. Mirrored by remediate.rmm.parse_relayed.
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Line)
    $summary = [ordered]@{
        package = $RmConfig.Package
        phase = $RmConfig.Phase
        verdict = 'error'
        reason = 'unhandled_error'
        computer = ''
        failing = @()
        duration_ms = 0
    }
    try {
        $data = ConvertFrom-Json -InputObject $Line
        foreach ($name in @('package', 'phase', 'verdict', 'reason', 'computer', 'failing', 'duration_ms')) {
            $property = $data.PSObject.Properties[$name]
            if ($null -ne $property) {
                $summary[$name] = $property.Value
            }
        }
    }
    catch {
        Write-RmLog -Message ('relayed result not readable: ' + $_.Exception.Message)
    }
    return $summary
}

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

function Expand-RmTemplate {
    <#
    .SYNOPSIS
    Replaces {name} tokens in one pass (a value is never expanded again); unknown tokens stay as written.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Template,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Values
    )
    $text = ''
    foreach ($part in [regex]::Split($Template, '(\{[a-z_]+\})')) {
        $match = [regex]::Match($part, '^\{([a-z_]+)\}$')
        if ($match.Success -and $Values.Contains($match.Groups[1].Value)) {
            $text += [string]$Values[$match.Groups[1].Value]
        }
        else {
            $text += $part
        }
    }
    return $text
}

function Get-RmTemplateValue {
    <#
    .SYNOPSIS
    The values the profile templates may use, printable ASCII only. Mirrored by remediate.rmm._fields.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result,
        [Parameter(Mandatory = $true)][string]$Outcome,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Line
    )
    $ids = New-Object System.Collections.Generic.List[string]
    if ($null -ne $Result['failing']) {
        foreach ($id in $Result['failing']) {
            $ids.Add(([string]$id -replace '[^A-Za-z0-9_.-]', '_'))
        }
    }
    $failing = 'none'
    if ($ids.Count -gt 0) {
        $failing = $ids.ToArray() -join ','
    }
    $package = '-'
    if ($Result['package']) {
        $package = [string]$Result['package']
    }
    $computer = '-'
    if ($Result['computer']) {
        $computer = [string]$Result['computer']
    }
    $duration = 0
    if ($Result['duration_ms']) {
        $duration = [int]$Result['duration_ms']
    }
    $values = [ordered]@{
        label = [string]$RmOutput.Outcomes[$Outcome].Label
        outcome = $Outcome
        package = $package
        computer = $computer
        failing = $failing
        count = [string]$ids.Count
        duration_ms = [string]$duration
        json = $Line
    }
    foreach ($key in @($values.Keys)) {
        $values[$key] = ([string]$values[$key] -replace '[^\x20-\x7E]', '?')
    }
    return $values
}

function Set-RmCustomField {
    <#
    .SYNOPSIS
    Stores the status line in the RMM's custom field named by the profile's custom-field input (remediate/rmm.py
    CustomField): NinjaOne through the agent's Ninja-Property-Set, Datto RMM as a UDF in the registry.
    A failure is logged, never shown: the output is the result.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'writes the NinjaOne custom field, an output channel like the result line: it runs in every run, dry runs included')]
    param([Parameter(Mandatory = $true)][string]$Text)
    if (-not $RmOutput.CustomField.Kind) {
        return
    }
    $target = Get-RmInputValue -Names $RmRmm.Names['CustomField']
    if (-not $target) {
        return
    }
    try {
        if ($RmOutput.CustomField.Kind -eq 'datto_udf') {
            Set-RmDattoUdf -Number $target -Text $Text
        }
        else {
            Set-RmNinjaField -Field $target -Text $Text
        }
    }
    catch {
        Write-RmLog -Message ('custom field ' + $target + ' not written: ' + $_.Exception.Message)
    }
}

function Set-RmNinjaField {
    <#
    .SYNOPSIS
    NinjaOne: Ninja-Property-Set FIELD VALUE, when the agent provides the command. Its result is checked: an
    error record or a failing native exit code throws, for Set-RmCustomField to log.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'writes the NinjaOne custom field, an output channel like the result line: it runs in every run, dry runs included')]
    param(
        [Parameter(Mandatory = $true)][string]$Field,
        [Parameter(Mandatory = $true)][string]$Text
    )
    $command = Get-Command -Name 'Ninja-Property-Set' -ErrorAction SilentlyContinue
    if ($null -eq $command) {
        Write-RmLog -Message ('custom field ' + $Field + ' not written: Ninja-Property-Set is not available')
        return
    }
    $global:LASTEXITCODE = 0
    $answer = @(& $command $Field $Text 2>&1)
    $failures = @($answer | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
    if ($failures.Count -gt 0) {
        throw ('Ninja-Property-Set: ' + [string]$failures[0])
    }
    if ($LASTEXITCODE -ne 0) {
        throw ('Ninja-Property-Set exit ' + $LASTEXITCODE + ' ' + (@($answer) -join ' '))
    }
    Write-RmLog -Message ('custom field ' + $Field + ' written')
}

function Set-RmDattoUdf {
    <#
    .SYNOPSIS
    Datto RMM: writes the text (cut to the UDF's 255 characters) to HKLM\SOFTWARE\CentraStage\Custom<N>; the
    agent uploads it as user-defined field N. N must be 1-30.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'writes the Datto RMM user-defined field, an output channel like the result line: it runs in every run, dry runs included')]
    param(
        [Parameter(Mandatory = $true)][string]$Number,
        [Parameter(Mandatory = $true)][string]$Text
    )
    $n = 0
    if (-not [int]::TryParse($Number, [ref]$n) -or $n -lt 1 -or $n -gt $RmOutput.CustomField.Count) {
        throw ('UDF number ' + $Number + ' is not 1-' + $RmOutput.CustomField.Count)
    }
    $value = $Text
    if ($value.Length -gt $RmOutput.CustomField.MaxChars) {
        $value = $value.Substring(0, $RmOutput.CustomField.MaxChars)
    }
    $key = Open-RmRegistryKey -Path 'HKLM:\SOFTWARE\CentraStage' -Create
    try {
        $key.SetValue(('Custom' + $n), $value, [Microsoft.Win32.RegistryValueKind]::String)
    }
    finally {
        $key.Close()
    }
    Write-RmLog -Message ('custom field Custom' + $n + ' written')
}

function Format-RmProfileOutput {
    <#
    .SYNOPSIS
    The output lines and exit code of this script's profile ($RmOutput, rendered from remediate/rmm.py).
    .DESCRIPTION
    The RMM profiles map the outcome to their own code and expand their line templates (intune and json use
    the pass-through variant in remediate/powershell/profiles/passthrough). A result relayed from another
    process (a 64-bit relaunch, the interactive-user launcher) arrives as its JSON line: -Result is then
    $null and the line is parsed. A relaunched child answers in JSON, because its parent does the formatting.
    #>
    param(
        [AllowNull()][System.Collections.IDictionary]$Result,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Line,
        [Parameter(Mandatory = $true)][int]$ExitCode
    )
    if ($env:REMEDIATE_RELAUNCHED -eq '1') {
        return [ordered]@{ Lines = @($Line); ExitCode = $ExitCode }
    }
    if ($null -eq $Result) {
        $Result = ConvertFrom-RmResultLine -Line $Line
    }
    $outcome = Get-RmOutcome -Result $Result
    $values = Get-RmTemplateValue -Result $Result -Outcome $outcome -Line $Line
    $lines = New-Object System.Collections.Generic.List[string]
    foreach ($template in $RmOutput.Lines) {
        $lines.Add((Expand-RmTemplate -Template $template -Values $values))
    }
    Set-RmCustomField -Text $lines[$RmOutput.StatusIndex]
    return [ordered]@{ Lines = $lines.ToArray(); ExitCode = [int]$RmOutput.Outcomes[$outcome].Exit }
}
