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
