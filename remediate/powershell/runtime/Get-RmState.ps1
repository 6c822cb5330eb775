function Get-RmStatePath {
    <#
    .SYNOPSIS
    The package's state file. It lives on disk, so the backoff survives reboots.
    #>
    return (Join-Path (Get-RmDataRoot) ('state\' + $RmConfig.Package + '.state'))
}

function Get-RmStamp {
    <#
    .SYNOPSIS
    A time as the one text form used in state, evidence, backup and log files: UTC, ISO 8601 with a Z.
    .DESCRIPTION
    Always with the invariant culture: without it fi-FI writes '12.00.00' and th-TH a Buddhist year.
    #>
    param([DateTime]$Time = (Get-RmOsTime))
    return $Time.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture)
}

function ConvertFrom-RmStamp {
    <#
    .SYNOPSIS
    Reads a time written by Get-RmStamp back as a UTC DateTime (culture-independent).
    #>
    param([Parameter(Mandatory = $true)][string]$Text)
    return [DateTime]::ParseExact($Text, 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal')
}

function Get-RmState {
    <#
    .SYNOPSIS
    Reads the state file into a hashtable of 'check.key' = 'value' strings; empty when absent or unreadable.
    .DESCRIPTION
    A plain key=value text file rather than JSON: Windows PowerShell 5.1 turns JSON into PSCustomObjects
    that are awkward to update, and a line format is easy for an admin to read and reset.
    #>
    $state = @{}
    $path = Get-RmStatePath
    if (-not (Test-Path -LiteralPath $path)) {
        return $state
    }
    foreach ($line in [System.IO.File]::ReadAllLines($path)) {
        $pair = $line -split '=', 2
        if ($pair.Count -eq 2 -and $pair[0]) {
            $state[$pair[0]] = $pair[1]
        }
    }
    return $state
}

function Save-RmState {
    <#
    .SYNOPSIS
    Writes the state hashtable back, sorted, through a temporary file so a crash never leaves half a file.
    #>
    param([Parameter(Mandatory = $true)][hashtable]$State)
    $path = Get-RmStatePath
    $folder = Split-Path -Parent $path
    if (-not (Test-Path -LiteralPath $folder)) {
        $null = New-Item -ItemType Directory -Path $folder -Force -WhatIf:$false
    }
    $lines = @($State.Keys | Sort-Object | ForEach-Object { $_ + '=' + $State[$_] })
    $temp = $path + '.tmp'
    [System.IO.File]::WriteAllLines($temp, [string[]]$lines, [System.Text.Encoding]::ASCII)
    # Replace is atomic on NTFS; Move-Item -Force deletes the old file first and could leave none. No backup
    # file: [NullString]::Value, because $null passed to a string parameter arrives as an empty path.
    if ([System.IO.File]::Exists($path)) {
        [System.IO.File]::Replace($temp, $path, [NullString]::Value)
    }
    else {
        [System.IO.File]::Move($temp, $path)
    }
}

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

function Register-RmAttempt {
    <#
    .SYNOPSIS
    Records the outcome of a fix attempt: success clears the counter, failure bumps it and sets the cooldown.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$State,
        [Parameter(Mandatory = $true)][string]$Id,
        [Parameter(Mandatory = $true)][bool]$Succeeded
    )
    $now = (Get-RmOsTime)
    $State[$Id + '.last'] = Get-RmStamp -Time $now
    if ($Succeeded) {
        Clear-RmFailure -State $State -Id $Id
        return
    }
    $failures = 1
    if ($State.ContainsKey($Id + '.failures')) {
        $failures = [int]$State[$Id + '.failures'] + 1
    }
    $minutes = [Math]::Min($RmConfig.CooldownMinutes * [Math]::Pow(2, $failures - 1), $RmConfig.CooldownMaxHours * 60)
    $State[$Id + '.failures'] = [string]$failures
    $State[$Id + '.next'] = Get-RmStamp -Time ($now.AddMinutes($minutes))
}

function Clear-RmFailure {
    <#
    .SYNOPSIS
    Forgets a check's failed attempts: after a verified fix, when the check passes on its own, or on expiry.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$State,
        [Parameter(Mandatory = $true)][string]$Id
    )
    $null = $State.Remove($Id + '.failures')
    $null = $State.Remove($Id + '.next')
}
