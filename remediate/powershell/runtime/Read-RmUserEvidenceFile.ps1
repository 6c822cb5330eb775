function Read-RmUserEvidenceFile {
    <#
    .SYNOPSIS
    The key=value pairs of one user's evidence file (written by the device package); empty when absent.
    #>
    param([Parameter(Mandatory = $true)][string]$Sid)
    $values = @{}
    $path = Join-Path (Get-RmEvidenceFolder) ($Sid + '.txt')
    if (Test-Path -LiteralPath $path) {
        foreach ($line in [System.IO.File]::ReadAllLines($path)) {
            $pair = $line -split '=', 2
            if ($pair.Count -eq 2) {
                $values[$pair[0].Trim()] = $pair[1].Trim()
            }
        }
    }
    return $values
}
