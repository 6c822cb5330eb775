function Add-RmBundleSource {
    <#
    .SYNOPSIS
    Puts the support bundle's fixed list of items into the archive (docs/collect.md lists them).
    .DESCRIPTION
    Device-wide: dsregcmd /status, WinHTTP and WinINET proxy settings, the TLS registry, and (as an
    administrator) the AAD/Operational, User Device Registration/Admin and AppModel-State event logs. The
    signed-in user's: Teams logs. The tool's own: state file, log, backups, quarantine manifests. Never read:
    TokenBroker, cookies, credentials, quarantined items, browser data (only the paths below are opened).
    #>
    param(
        [Parameter(Mandatory = $true)][object]$Archive,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Budget,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context
    )
    $system32 = Join-Path $env:windir 'System32'
    $dsreg = Invoke-RmNative -FilePath (Join-Path $system32 'dsregcmd.exe') -Arguments '/status' -TimeoutSeconds 30
    $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name 'dsregcmd-status.txt' -Text ([string]$dsreg.Output)
    $winhttp = Invoke-RmNative -FilePath (Join-Path $system32 'netsh.exe') -Arguments 'winhttp show proxy' -TimeoutSeconds 30
    $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name 'proxy-winhttp.txt' -Text ([string]$winhttp.Output)
    foreach ($item in $RmTask.Registry) {
        $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name $item.Entry -Text (Get-RmRegistryReport -Path $item.Paths -Name $item.Names)
    }
    if ($Context.IsAdmin) {
        $temp = Join-Path (Get-RmDataRoot) 'collect\export.evtx'
        foreach ($log in $RmTask.EventLogs) {
            if (Export-RmOsEventLog -LogName $log.Log -Path $temp -Query $log.Query) {
                $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name $log.Entry -File $temp
            }
            else {
                $Budget.omitted.Add($log.Entry)
            }
        }
        if ([System.IO.File]::Exists($temp)) {
            # Our own temporary export, not user data: File.Delete, not the quarantine path.
            [System.IO.File]::Delete($temp)
        }
    }
    # Teams logs only from the user package, in the user's own session: SYSTEM never reads user profiles.
    $teams = @()
    if ($RmConfig.RunAs -eq 'user') {
        $teams = @($RmTask.Teams)
    }
    foreach ($source in $teams) {
        $folder = Join-Path ([Environment]::GetEnvironmentVariable($source.Base)) $source.Path
        if (Test-Path -LiteralPath $folder -PathType Container) {
            $logs = @(Get-ChildItem -LiteralPath $folder -File -Filter $source.Filter | Sort-Object -Property LastWriteTimeUtc -Descending | Select-Object -First 3)
            foreach ($file in $logs) {
                $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name ('teams/' + $file.Name) -File $file.FullName
            }
        }
    }
    Add-RmBundleOwnFile -Archive $Archive -Budget $Budget
}
