function Test-RmCallInProgress {
    <#
    .SYNOPSIS
    Whether an app of this user holds the microphone or the camera right now (a call): then a fix that closes
    apps must wait.
    .DESCRIPTION
    Windows records each app's use under CapabilityAccessManager\ConsentStore\<device>\<app> (packaged apps)
    and ...\NonPackaged\<path> as FILETIME values: LastUsedTimeStart, and LastUsedTimeStop = 0 while in use
    (as Windows' privacy settings show it). An app that crashed mid-call never writes its stop time: a start older than StaleHours
    is such a stale flag and is ignored, or one crash would block the fix for ever. Returns the matching app
    key names ('' entries never); an empty array means no call.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$ConsentStore,
        [Parameter(Mandatory = $true)][string[]]$Devices,
        [Parameter(Mandatory = $true)][string]$AppMatch,
        [Parameter(Mandatory = $true)][int]$StaleHours
    )
    $now = Get-RmOsTime
    $busy = New-Object System.Collections.Generic.List[string]
    foreach ($device in $Devices) {
        $base = $ConsentStore + '\' + $device
        $paths = @(Get-RmRegistrySubKeyNames -Path $base | ForEach-Object { $base + '\' + $_ })
        $paths += @(Get-RmRegistrySubKeyNames -Path ($base + '\NonPackaged') | ForEach-Object { $base + '\NonPackaged\' + $_ })
        foreach ($path in @($paths | Where-Object { $_ -match $AppMatch })) {
            $start = Get-RmRegistryValue -Path $path -Name 'LastUsedTimeStart'
            $stop = Get-RmRegistryValue -Path $path -Name 'LastUsedTimeStop'
            if ($null -eq $start -or $null -eq $stop -or [long]$start -le 0 -or [long]$stop -ne 0) {
                continue
            }
            $started = [DateTime]::FromFileTimeUtc([long]$start)
            if (($now - $started).TotalHours -gt $StaleHours) {
                continue
            }
            $busy.Add($device + ':' + ($path -split '\\')[-1])
        }
    }
    return $busy.ToArray()
}
