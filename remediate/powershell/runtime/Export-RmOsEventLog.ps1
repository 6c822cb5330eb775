function Export-RmOsEventLog {
    <#
    .SYNOPSIS
    OS seam: exports an event log (optionally filtered by an XPath query) to an .evtx file with wevtutil epl.
    Returns whether the file was written.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$LogName,
        [Parameter(Mandatory = $true)][string]$Path,
        [string]$Query = ''
    )
    $arguments = 'epl "' + $LogName + '" "' + $Path + '" /ow:true'
    if ($Query) {
        $arguments += ' "/q:' + $Query + '"'
    }
    $outcome = Invoke-RmNative -FilePath (Join-Path $env:windir 'System32\wevtutil.exe') -Arguments $arguments -TimeoutSeconds 60
    return ($outcome.ExitCode -eq 0 -and [System.IO.File]::Exists($Path))
}
