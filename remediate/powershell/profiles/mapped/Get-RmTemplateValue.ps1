function Get-RmTemplateValue {
    <#
    .SYNOPSIS
    The values the profile templates may use, printable ASCII only. Mirrored by remediate.rmm._fields.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result,
        [Parameter(Mandatory = $true)][string]$Outcome,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Line
    )
    $ids = New-Object System.Collections.Generic.List[string]
    if ($null -ne $Result['failing']) {
        foreach ($id in $Result['failing']) {
            $ids.Add(([string]$id -replace '[^A-Za-z0-9_.-]', '_'))
        }
    }
    $failing = 'none'
    if ($ids.Count -gt 0) {
        $failing = $ids.ToArray() -join ','
    }
    $package = '-'
    if ($Result['package']) {
        $package = [string]$Result['package']
    }
    $computer = '-'
    if ($Result['computer']) {
        $computer = [string]$Result['computer']
    }
    $duration = 0
    if ($Result['duration_ms']) {
        $duration = [int]$Result['duration_ms']
    }
    $values = [ordered]@{
        label = [string]$RmOutput.Outcomes[$Outcome].Label
        outcome = $Outcome
        package = $package
        computer = $computer
        failing = $failing
        count = [string]$ids.Count
        duration_ms = [string]$duration
        json = $Line
    }
    foreach ($key in @($values.Keys)) {
        $values[$key] = ([string]$values[$key] -replace '[^\x20-\x7E]', '?')
    }
    return $values
}
