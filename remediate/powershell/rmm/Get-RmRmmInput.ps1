function Import-RmArgumentInput {
    <#
    .SYNOPSIS
    Turns NAME=VALUE script arguments into environment variables of this process, for our input names only.
    .DESCRIPTION
    Datto RMM and NinjaOne pass script variables as environment variables; Tactical RMM, N-sight, NinjaOne's
    preset parameters and others pass a command line. Both end up in the environment, which a 64-bit relaunch
    inherits. A NAME may be an input's canonical name or its alias (NinjaOne's camelCase spelling).
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Arguments)
    foreach ($argument in $Arguments) {
        $pair = ([string]$argument) -split '=', 2
        if ($pair.Count -ne 2) {
            continue
        }
        foreach ($names in $RmRmm.Names.Values) {
            if (@($names) -contains $pair[0]) {
                [Environment]::SetEnvironmentVariable(@($names)[0], $pair[1], 'Process')
            }
        }
    }
}

function Get-RmInputValue {
    <#
    .SYNOPSIS
    The value of an input from the first of its names that is set, trimmed; '' when none is set.
    .DESCRIPTION
    NinjaOne names a script variable's environment variable after its display name (camelCase) and sends an
    empty variable as the literal text 'null': both spellings are read, and 'null' counts as not set.
    #>
    param([Parameter(Mandatory = $true)][string[]]$Names)
    foreach ($name in $Names) {
        $value = [Environment]::GetEnvironmentVariable($name)
        if ($null -eq $value) {
            continue
        }
        $value = $value.Trim()
        if ($value -ne '' -and @($RmRmm.EmptyWords) -notcontains $value.ToLowerInvariant()) {
            return $value
        }
    }
    return ''
}

function Test-RmInputOn {
    <#
    .SYNOPSIS
    Whether a switch input is on: only one of the rendered true words (1, true, yes, on) turns it on.
    #>
    param([Parameter(Mandatory = $true)][string]$Key)
    $value = Get-RmInputValue -Names $RmRmm.Names[$Key]
    return (@($RmRmm.TrueWords) -contains $value.ToLowerInvariant())
}

function Get-RmRmmInput {
    <#
    .SYNOPSIS
    The RMM inputs of this run, safe defaults when unset: detection only, no dry-run, state kept.
    #>
    return [ordered]@{
        Fix = (Test-RmInputOn -Key 'Fix')
        DryRun = (Test-RmInputOn -Key 'DryRun')
        ResetState = (Test-RmInputOn -Key 'ResetState')
    }
}

function Set-RmRunPhase {
    <#
    .SYNOPSIS
    An RMM script holds both phases: detection only unless the fix input is on; then the remediation
    re-detects, fixes what it may and verifies each fix by detecting again.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'sets the phase of this run in the in-memory RmConfig; changes nothing on the system')]
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Inputs)
    $RmConfig.Phase = 'detect'
    if ($Inputs.Fix) {
        $RmConfig.Phase = 'remediate'
    }
    if ($Inputs.DryRun) {
        $RmConfig.DryRun = $true
    }
}

function Reset-RmStateOnRequest {
    <#
    .SYNOPSIS
    With the reset input on, deletes the package's state file (failure counters and cooldowns), so a
    check that reached needs_attention is tried again. Only our own state file is deleted.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'runs only when the operator sets the reset input, which is the confirmation; deletes only the state file of this package')]
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Inputs)
    if (-not $Inputs.ResetState) {
        return
    }
    $path = Get-RmStatePath
    if ([System.IO.File]::Exists($path)) {
        [System.IO.File]::Delete($path)
        Write-RmLog -Message ('state reset on request: deleted ' + $path)
    }
}
