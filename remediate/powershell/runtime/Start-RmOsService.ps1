function Start-RmOsService {
    <#
    .SYNOPSIS
    OS seam: starts one service and waits until it runs, at most TimeoutSeconds; throws on failure or timeout.
    .DESCRIPTION
    Start-Service waits without a deadline (a service stuck in StartPending hangs the run); the
    ServiceController's WaitForStatus throws System.ServiceProcess.TimeoutException instead.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; the calling repair fragment asks ShouldProcess (or reads WhatIfPreference) before it calls')]
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [int]$TimeoutSeconds = 20
    )
    $service = New-Object -TypeName System.ServiceProcess.ServiceController -ArgumentList $Name
    try {
        if ($service.Status -ne [System.ServiceProcess.ServiceControllerStatus]::Running) {
            if ($service.Status -ne [System.ServiceProcess.ServiceControllerStatus]::StartPending) {
                $service.Start()
            }
            $service.WaitForStatus([System.ServiceProcess.ServiceControllerStatus]::Running, [TimeSpan]::FromSeconds($TimeoutSeconds))
        }
    }
    finally {
        $service.Dispose()
    }
}
