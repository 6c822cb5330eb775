function Start-RmOsProcess {
    <#
    .SYNOPSIS
    OS seam: starts a program in the current user's session without waiting (e.g. an app again after a fix).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; the calling repair fragment asks ShouldProcess (or reads WhatIfPreference) before it calls')]
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string]$Arguments = ''
    )
    if ($Arguments) {
        $null = Start-Process -FilePath $FilePath -ArgumentList $Arguments
    }
    else {
        $null = Start-Process -FilePath $FilePath
    }
}
