function Test-RmDoneWithin {
    <#
    .SYNOPSIS
    Whether the state stamp under Key lies less than Hours ago (a disruptive fix at most once per period).
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$State,
        [Parameter(Mandatory = $true)][string]$Key,
        [Parameter(Mandatory = $true)][int]$Hours
    )
    if (-not $State.Contains($Key)) {
        return $false
    }
    $when = ConvertFrom-RmEvidenceStamp -Text ([string]$State[$Key])
    return ($null -ne $when -and $when -gt (Get-RmOsTime).AddHours(-$Hours))
}
