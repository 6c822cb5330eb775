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
