function Stop-RmOsProcess {
    <#
    .SYNOPSIS
    OS seam: stops processes by id and waits up to WaitSeconds for them to exit; returns the ids still running.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; the calling repair fragment asks ShouldProcess (or reads WhatIfPreference) before it calls')]
    param(
        [Parameter(Mandatory = $true)][int[]]$Id,
        [Parameter(Mandatory = $true)][int]$WaitSeconds
    )
    $targets = @(Get-Process -Id $Id -ErrorAction SilentlyContinue)
    $targets | Stop-Process -Force -ErrorAction SilentlyContinue
    $targets | Wait-Process -Timeout $WaitSeconds -ErrorAction SilentlyContinue
    return @(Get-Process -Id $Id -ErrorAction SilentlyContinue | ForEach-Object { [int]$_.Id })
}
