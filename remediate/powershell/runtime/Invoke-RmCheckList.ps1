function Invoke-RmCheckList {
    <#
    .SYNOPSIS
    Runs every check of the package in ladder order (least invasive first) for the current phase.
    #>
    param(
        [Parameter(Mandatory = $true)][object[]]$Checks,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $findings = New-Object System.Collections.Generic.List[object]
    foreach ($check in $Checks) {
        if ($RmConfig.Phase -eq 'detect') {
            $findings.Add((Invoke-RmDetect -Check $check -Run $Run))
        }
        else {
            $findings.Add((Invoke-RmRepairStep -Check $check -Run $Run))
        }
    }
    return $findings.ToArray()
}
