function Get-RmEvidenceFolder {
    <#
    .SYNOPSIS
    Where the device package leaves per-user sign-in evidence for the user package to read.
    #>
    return (Join-Path $env:ProgramData 'remediate\evidence')
}

function Write-RmUserEvidence {
    <#
    .SYNOPSIS
    Writes one user's evidence file: only SYSTEM and Administrators can write it, only that user can read it.
    .DESCRIPTION
    The folder is protected (no inherited rights); each file grants read to its user's SID alone, so users
    cannot read each other's codes or forge evidence. Lines are key=value.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Sid,
        [Parameter(Mandatory = $true)][string[]]$Lines
    )
    $folder = Get-RmEvidenceFolder
    if (-not (Test-Path -LiteralPath $folder)) {
        $null = New-Item -ItemType Directory -Path $folder -Force -WhatIf:$false
        Set-RmOsAcl -Path $folder
    }
    $path = Join-Path $folder ($Sid + '.txt')
    [System.IO.File]::WriteAllLines($path, $Lines, [System.Text.Encoding]::ASCII)
    Set-RmOsAcl -Path $path -ReaderSid $Sid
}

function Get-RmUserEvidence {
    <#
    .SYNOPSIS
    Sign-in failure evidence for the current user within the window, from the device package's file.
    .DESCRIPTION
    Returns found, last (UTC time of the newest failure event) and codes. Mode 'always' reports found
    without evidence, for admins who insist on fixing unconditionally.
    #>
    param(
        [Parameter(Mandatory = $true)][int]$WindowHours,
        [Parameter(Mandatory = $true)][string]$Mode,
        [Parameter(Mandatory = $true)][string]$Sid
    )
    $evidence = [ordered]@{ found = $false; last = $null; codes = ''; source = 'none' }
    if ($Mode -eq 'always') {
        $evidence.found = $true
        $evidence.last = (Get-RmOsTime)
        $evidence.source = 'always'
        return $evidence
    }
    $path = Join-Path (Get-RmEvidenceFolder) ($Sid + '.txt')
    if (-not (Test-Path -LiteralPath $path)) {
        return $evidence
    }
    $values = @{}
    foreach ($line in [System.IO.File]::ReadAllLines($path)) {
        $pair = $line -split '=', 2
        if ($pair.Count -eq 2) {
            $values[$pair[0]] = $pair[1]
        }
    }
    if (-not $values.ContainsKey('last_event')) {
        return $evidence
    }
    $last = ConvertFrom-RmStamp -Text $values['last_event']
    if ($last -ge (Get-RmOsTime).AddHours(-$WindowHours)) {
        $evidence.found = $true
        $evidence.last = $last
        $evidence.codes = [string]$values['codes']
        $evidence.source = 'device_evidence'
    }
    return $evidence
}
