function Test-RmCallInProgress {
    <#
    .SYNOPSIS
    Whether an app matching AppMatch holds the microphone or camera right now (a call): 'call', 'stale' or 'none'.
    .DESCRIPTION
    Windows records each use under ConsentStore\<device>\<app> (and ...\NonPackaged\<app>): LastUsedTimeStart
    and LastUsedTimeStop, FILETIMEs; Stop = 0 with Start != 0 means in use now (DOMAIN.md s.3). An app killed
    during a call never writes Stop, so a Start more than StaleHours away from now counts as 'stale', not as
    a call: otherwise one crash would block the fix on that machine for ever. An unreadable Start is stale too.
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
        $paths = @(Get-RmRegistrySubKeyNames -Path $base | ForEach-Object { $base + '\' + $_ })
        $paths += @(Get-RmRegistrySubKeyNames -Path ($base + '\NonPackaged') | ForEach-Object { $base + '\NonPackaged\' + $_ })
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
