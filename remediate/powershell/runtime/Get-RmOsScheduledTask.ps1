function Get-RmOsScheduledTask {
    <#
    .SYNOPSIS
    OS seam: one scheduled task's state ('Ready', 'Disabled', 'Running', ...); Exists is false when absent.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$TaskPath,
        [Parameter(Mandatory = $true)][string]$TaskName
    )
    $task = @(Invoke-RmWithDeadline -TimeoutSeconds 5 -Parameters @{ Path = $TaskPath; Name = $TaskName } -ScriptBlock {
            param($Path, $Name)
            Get-ScheduledTask -TaskPath $Path -TaskName $Name -ErrorAction SilentlyContinue
        }) | Select-Object -First 1
    if ($null -eq $task) {
        return [ordered]@{ Exists = $false; State = '' }
    }
    return [ordered]@{ Exists = $true; State = [string]$task.State }
}
