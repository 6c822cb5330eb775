function ConvertTo-RmJson {
    <#
    .SYNOPSIS
    Serialises hashtables, arrays, strings, numbers, booleans and $null as compact JSON.
    .DESCRIPTION
    Written by hand rather than ConvertTo-Json: Windows PowerShell 5.1's cmdlet has a depth limit that
    silently stringifies nested values, unwraps one-element arrays and does not escape non-ASCII. Keys of an
    ordered dictionary keep their order; keys of a plain hashtable are sorted so output is deterministic.
    #>
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) {
        return 'null'
    }
    if ($Value -is [bool]) {
        if ($Value) { return 'true' }
        return 'false'
    }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [uint32] -or $Value -is [double] -or $Value -is [decimal]) {
        return [string]::Format([System.Globalization.CultureInfo]::InvariantCulture, '{0}', $Value)
    }
    if ($Value -is [string] -or $Value -is [char] -or $Value -is [datetime] -or $Value -is [enum]) {
        if ($Value -is [datetime]) {
            return ConvertTo-RmJsonString -Text (Get-RmStamp -Time $Value)
        }
        return ConvertTo-RmJsonString -Text ([string]$Value)
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $keys = @($Value.Keys)
        if (-not ($Value -is [System.Collections.Specialized.OrderedDictionary])) {
            $keys = @($keys | Sort-Object)
        }
        $parts = New-Object System.Collections.Generic.List[string]
        foreach ($key in $keys) {
            $parts.Add((ConvertTo-RmJsonString -Text ([string]$key)) + ':' + (ConvertTo-RmJson -Value $Value[$key]))
        }
        return '{' + ($parts -join ',') + '}'
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $parts = New-Object System.Collections.Generic.List[string]
        foreach ($item in $Value) {
            $parts.Add((ConvertTo-RmJson -Value $item))
        }
        return '[' + ($parts -join ',') + ']'
    }
    return ConvertTo-RmJsonString -Text ([string]$Value)
}
