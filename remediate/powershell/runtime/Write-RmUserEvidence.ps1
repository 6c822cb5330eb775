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
