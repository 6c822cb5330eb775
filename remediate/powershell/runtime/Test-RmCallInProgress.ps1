function Test-RmCallInProgress {
    <#
    .SYNOPSIS
    'call' when an app matching AppMatch holds the microphone or camera now, else 'stale' or 'none'.
    .DESCRIPTION
    ConsentStore flags (FILETIMEs): Stop = 0 with Start != 0 is in use. An app killed in a call never writes
    Stop: a Start over StaleHours from now (or unreadable) is 'stale', or one crash would block for ever.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$ConsentStore,
        [Parameter(Mandatory = $true)][string[]]$Devices,
        [Parameter(Mandatory = $true)][string]$AppMatch,
        [Parameter(Mandatory = $true)][int]$StaleHours
    )
    $answer = 'none'
    $now = Get-RmOsTime
    foreach ($device in $Devices) {
        $base = $ConsentStore + '\' + $device
        $paths = @(Get-RmRegistrySubKeyName -Path $base | ForEach-Object { $base + '\' + $_ })
        $paths += @(Get-RmRegistrySubKeyName -Path ($base + '\NonPackaged') | ForEach-Object { $base + '\NonPackaged\' + $_ })
        foreach ($path in @($paths | Where-Object { $_ -match $AppMatch })) {
            $start = Get-RmRegistryValue -Path $path -Name 'LastUsedTimeStart'
            $stop = Get-RmRegistryValue -Path $path -Name 'LastUsedTimeStop'
            if ($null -eq $start -or [long]$start -eq 0 -or $null -eq $stop -or [long]$stop -ne 0) {
                continue
            }
            $age = $null
            try {
                $age = ($now - [DateTime]::FromFileTimeUtc([long]$start)).TotalHours
            }
            catch {
                $age = $null
            }
            if ($null -ne $age -and [Math]::Abs($age) -lt $StaleHours) {
                return 'call'
            }
            $answer = 'stale'
        }
    }
    return $answer
}
