function New-RmFinding {
    <#
    .SYNOPSIS
    Builds one per-check finding: id, state, a short reason code and a few facts.
    .PARAMETER State
    One of the states of the result schema (pass, fail, fixed, failed, deferred, advisory, error, skipped).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'builds an in-memory finding; changes nothing on the system')]
    param(
        [Parameter(Mandatory = $true)][string]$Id,
        [Parameter(Mandatory = $true)][string]$State,
        [string]$Reason = '',
        [System.Collections.IDictionary]$Facts = $null
    )
    if ($RmSchema.States -notcontains $State) {
        throw ('unknown finding state ' + $State)
    }
    $finding = [ordered]@{ id = $Id; state = $State; reason = $Reason }
    if ($null -eq $Facts) {
        $Facts = [ordered]@{}
    }
    $finding['facts'] = $Facts
    return $finding
}
