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
