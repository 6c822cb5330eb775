function Wait-RmNetTask {
    <#
    .SYNOPSIS
    Waits for a .NET task up to a deadline shared by a whole phase; returns 'ok', 'timeout' or the cause.
    .DESCRIPTION
    The cause is the innermost exception's type name, or a socket error code (HostNotFound, TimedOut...).
    No PowerShell callback runs on a worker thread: the tasks are plain .NET I/O.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Threading.Tasks.Task]$Task,
        [Parameter(Mandatory = $true)][DateTime]$Until
    )
    $left = [int][math]::Max(0, ($Until - [DateTime]::UtcNow).TotalMilliseconds)
    try {
        $null = $Task.Wait($left)
    }
    catch {
        $null = $_
    }
    if ($Task.Status -eq [System.Threading.Tasks.TaskStatus]::RanToCompletion) {
        return 'ok'
    }
    if (-not $Task.IsCompleted) {
        return 'timeout'
    }
    $cause = $Task.Exception
    $name = 'canceled'
    while ($null -ne $cause) {
        $name = $cause.GetType().Name
        if ($cause -is [System.Net.Sockets.SocketException]) {
            $name = [string]$cause.SocketErrorCode
        }
        $cause = $cause.InnerException
    }
    return $name
}
