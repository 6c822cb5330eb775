function Get-RmDataRoot {
    <#
    .SYNOPSIS
    The folder for state, backups and quarantine: ProgramData for SYSTEM, LOCALAPPDATA for a user.
    #>
    if ($RmConfig.RunAs -eq 'system') {
        return (Join-Path $env:ProgramData 'remediate')
    }
    return (Join-Path $env:LOCALAPPDATA 'remediate')
}
