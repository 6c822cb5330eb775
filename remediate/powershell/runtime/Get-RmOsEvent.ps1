function Get-RmOsEvent {
    <#
    .SYNOPSIS
    OS seam: event records of one log since a time, newest first, read culture-free.
    .DESCRIPTION
    Returns Status ('ok', 'missing' when the log does not exist, 'timeout') and Records, each with Id, Time (UTC),
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
    # Bounded (6 s, inside aad_evidence's budget for two logs): Get-WinEvent has no timeout of its own. The block sorts out the
    # "nothing found" answers, which Get-WinEvent reports as errors, before they cross the runspace.
    $raw = @()
    try {
        $raw = @(Invoke-RmWithDeadline -TimeoutSeconds 6 -Parameters @{ Filter = $filter; Max = $MaxEvents } -ScriptBlock {
            param($Filter, $Max)
            try {
                Get-WinEvent -FilterHashtable $Filter -MaxEvents $Max -ErrorAction Stop
            }
            catch {
                if ($_.FullyQualifiedErrorId -like 'NoMatchingLogsFound*') {
                    'log_missing'
                }
                elseif ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') {
                    throw
                }
            }
        })
    }
    catch [System.TimeoutException] {
        $answer.Status = 'timeout'
        return $answer
    }
    if ($raw.Count -eq 1 -and $raw[0] -is [string]) {
        $answer.Status = 'missing'
        return $answer
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
