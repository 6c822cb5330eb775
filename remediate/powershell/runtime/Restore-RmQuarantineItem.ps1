function Restore-RmQuarantineItem {
    <#
    .SYNOPSIS
    Moves one quarantined item back; answers 'restored', 'already', 'conflict', 'missing', 'outside_root' or
    'failed'.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)][string]$Original,
        [Parameter(Mandatory = $true)][string]$Quarantined,
        [Parameter(Mandatory = $true)][string]$Root
    )
    if (-not (Test-RmPathUnder -Path $Quarantined -Root @($Root))) {
        return 'outside_root'
    }
    $stored = Test-Path -LiteralPath $Quarantined
    if (Test-Path -LiteralPath $Original) {
        if ($stored) {
            return 'conflict'
        }
        return 'already'
    }
    if (-not $stored) {
        return 'missing'
    }
    if (-not $PSCmdlet.ShouldProcess($Quarantined, ('move back to ' + $Original))) {
        return 'restored'
    }
    try {
        $parent = Split-Path -Parent $Original
        if (-not (Test-Path -LiteralPath $parent)) {
            $null = New-Item -ItemType Directory -Path $parent -Force
        }
        Move-Item -LiteralPath $Quarantined -Destination $Original
        return 'restored'
    }
    catch {
        Write-RmLog -Message ('undo: could not move back ' + $Quarantined + ': ' + $_.Exception.Message)
        return 'failed'
    }
}
