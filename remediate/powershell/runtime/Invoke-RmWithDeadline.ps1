function Invoke-RmWithDeadline {
    <#
    .SYNOPSIS
    Runs a script block in a separate runspace of this process and waits at most TimeoutSeconds; returns its
    output, rethrows its terminating error, and throws a TimeoutException when the deadline passes.
    .DESCRIPTION
    Get-WinEvent on a huge or corrupt log, CIM queries and the NetTCPIP cmdlets have no timeout of their own;
    one hung call would hold the whole Intune queue of the device. The block gets its values as parameters
    (it runs in a fresh runspace: none of this script's functions or variables exist there). On timeout the
    pipeline is asked to stop and left behind; the script goes on and answers with what it has.
    #>
    param(
        [Parameter(Mandatory = $true)][scriptblock]$ScriptBlock,
        [System.Collections.IDictionary]$Parameters = @{},
        [Parameter(Mandatory = $true)][int]$TimeoutSeconds
    )
    $shell = [PowerShell]::Create()
    $null = $shell.AddScript($ScriptBlock.ToString())
    foreach ($key in $Parameters.Keys) {
        $null = $shell.AddParameter([string]$key, $Parameters[$key])
    }
    $pending = $shell.BeginInvoke()
    if (-not $pending.AsyncWaitHandle.WaitOne($TimeoutSeconds * 1000)) {
        $null = $shell.BeginStop($null, $null)
        throw (New-Object System.TimeoutException(('no answer within ' + $TimeoutSeconds + ' s')))
    }
    try {
        $output = $shell.EndInvoke($pending)
    }
    catch {
        # EndInvoke wraps the block's own terminating error: rethrow the error itself.
        $inner = $_.Exception
        if ($null -ne $inner.InnerException) {
            $inner = $inner.InnerException
        }
        throw $inner
    }
    finally {
        $shell.Dispose()
    }
    return @($output)
}
