function Add-RmEvidence {
    <#
    .SYNOPSIS
    Adds counted codes (code -> number of events naming it) of some events to an evidence summary.
    .DESCRIPTION
    Called once with the counts of a whole log rather than once per event: thousands of events, few codes.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Evidence,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Counts,
        [Parameter(Mandatory = $true)][int]$Events
    )
    foreach ($name in @('codes', 'layers')) {
        if (-not $Evidence.Contains($name)) {
            $Evidence[$name] = @{}
        }
    }
    if (-not $Evidence.Contains('events')) {
        $Evidence['events'] = 0
    }
    $Evidence['events'] = [int]$Evidence['events'] + $Events
    foreach ($code in $Counts.Keys) {
        $Evidence.codes[$code] = [int]$Counts[$code] + [int]$Evidence.codes[$code]
        $layer = Get-RmCodeLayer -Code $code
        if ($layer) {
            $Evidence.layers[$layer] = [int]$Counts[$code] + [int]$Evidence.layers[$layer]
        }
    }
}
