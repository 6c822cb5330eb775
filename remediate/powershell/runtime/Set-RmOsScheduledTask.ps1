function Set-RmOsScheduledTask {
    <#
    .SYNOPSIS
    OS seam: enables ('Enable') or starts ('Start') one scheduled task; throws on failure.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; the calling repair fragment asks ShouldProcess (or reads WhatIfPreference) before it calls')]
    param(
        [Parameter(Mandatory = $true)][string]$TaskPath,
        [Parameter(Mandatory = $true)][string]$TaskName,
        [Parameter(Mandatory = $true)][ValidateSet('Enable', 'Start')][string]$Action
    )
    if ($Action -eq 'Enable') {
        $null = Enable-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -ErrorAction Stop
    }
    else {
        Start-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -ErrorAction Stop
    }
}
