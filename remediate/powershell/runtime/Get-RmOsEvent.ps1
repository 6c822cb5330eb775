function Get-RmOsEvent {
    <#
    .SYNOPSIS
    OS seam: event records of one log since a time, newest first, read culture-free.
    .DESCRIPTION
    Returns Status ('ok' or 'missing' when the log does not exist) and Records, each with Id, Time (UTC),
    UserSid, Provider and Data: the event's property values as strings. The rendered Message is not used:
    it follows the format culture and is empty when that culture has no language resources.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$LogName,
        [int[]]$Id = @(),
        [string]$ProviderName = '',
        [Parameter(Mandatory = $true)][DateTime]$Since,
        [Parameter(Mandatory = $true)][int]$MaxEvents
    )
    $filter = @{ LogName = $LogName; StartTime = $Since.ToLocalTime() }
    if ($Id.Count -gt 0) {
        $filter['Id'] = $Id
    }
    if ($ProviderName) {
        $filter['ProviderName'] = $ProviderName
    }
    $answer = [ordered]@{ Status = 'ok'; Records = @() }
    try {
        $raw = @(Get-WinEvent -FilterHashtable $filter -MaxEvents $MaxEvents -ErrorAction Stop)
    }
    catch {
        if ($_.FullyQualifiedErrorId -like 'NoMatchingEventsFound*') {
            return $answer
        }
        if ($_.FullyQualifiedErrorId -like 'NoMatchingLogsFound*') {
            $answer.Status = 'missing'
            return $answer
        }
        throw
    }
    $answer.Records = @($raw | ForEach-Object {
            $sid = ''
            if ($null -ne $_.UserId) {
                $sid = $_.UserId.Value
            }
            [ordered]@{
                Id = [int]$_.Id
                Time = $_.TimeCreated.ToUniversalTime()
                UserSid = $sid
                Provider = [string]$_.ProviderName
                Data = @($_.Properties | ForEach-Object { [string]$_.Value })
            }
        })
    return $answer
}
