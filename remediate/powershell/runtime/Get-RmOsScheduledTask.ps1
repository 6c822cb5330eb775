function Get-RmOsScheduledTask {
    <#
    .SYNOPSIS
    OS seam: one scheduled task's state ('Ready', 'Disabled', 'Running', ...); Exists is false when absent.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$TaskPath,
        [Parameter(Mandatory = $true)][string]$TaskName
    )
    $task = Get-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -ErrorAction SilentlyContinue
    if ($null -eq $task) {
        return [ordered]@{ Exists = $false; State = '' }
    }
    return [ordered]@{ Exists = $true; State = [string]$task.State }
}
