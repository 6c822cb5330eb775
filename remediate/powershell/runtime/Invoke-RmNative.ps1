function Invoke-RmNative {
    <#
    .SYNOPSIS
    Runs a native program (dsregcmd, w32tm, netsh, cmdkey...) with a deadline and captures its output.
    .DESCRIPTION
    Uses System.Diagnostics.Process rather than the call operator: in Windows PowerShell 5.1, redirecting a
    native program's stderr with $ErrorActionPreference = 'Stop' turns its first stderr line into a
    terminating error, and a hung program would hang the whole run. Returns ExitCode (-1 on timeout or
    start failure), Output and Error (strings), TimedOut and Started.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string]$Arguments = '',
        [int]$TimeoutSeconds = 10
    )
    $outcome = [ordered]@{ ExitCode = -1; Output = ''; Error = ''; TimedOut = $false; Started = $false }
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $FilePath
    $info.Arguments = $Arguments
    $info.UseShellExecute = $false
    $info.CreateNoWindow = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = New-Object System.Diagnostics.Process
    $process.StartInfo = $info
    try {
        $outcome.Started = $process.Start()
    }
    catch {
        $outcome.Error = $_.Exception.Message
        return $outcome
    }
    # Read both streams asynchronously so a full pipe buffer cannot deadlock the child.
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $outcome.TimedOut = $true
        try {
            $process.Kill()
        }
        catch {
            $null = $_
        }
        return $outcome
    }
    $outcome.ExitCode = $process.ExitCode
    $outcome.Output = $stdout.Result
    $outcome.Error = $stderr.Result
    return $outcome
}
