function Get-RmLogPath {
    <#
    .SYNOPSIS
    The log file. SYSTEM logs beside the Intune Management Extension logs so "Collect diagnostics" gathers it.
    #>
    if ($RmConfig.RunAs -eq 'system') {
        return (Join-Path $env:ProgramData ('Microsoft\IntuneManagementExtension\Logs\remediate-' + $RmConfig.Package + '.log'))
    }
    return (Join-Path (Get-RmDataRoot) ('logs\remediate-' + $RmConfig.Package + '.log'))
}
