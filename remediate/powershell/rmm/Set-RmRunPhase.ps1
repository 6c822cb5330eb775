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
