function Get-RmRegistryReport {
    <#
    .SYNOPSIS
    Named registry values as text lines for the support bundle: 'path\name = value' or '<absent>'.
    #>
    param(
        [Parameter(Mandatory = $true)][string[]]$Path,
        [Parameter(Mandatory = $true)][string[]]$Name
    )
    $lines = New-Object System.Collections.Generic.List[string]
    foreach ($p in $Path) {
        foreach ($n in $Name) {
            $value = Get-RmRegistryValue -Path $p -Name $n
            $text = '<absent>'
            if ($null -ne $value) {
                $text = [string]$value
            }
            $lines.Add($p + '\' + $n + ' = ' + $text)
        }
    }
    return ($lines.ToArray() -join "`r`n")
}
