function Select-RmFinding {
    <#
    .SYNOPSIS
    The finding among a check function's output: its last dictionary. Stray output (an unassigned method
    result in a fragment) would otherwise turn the finding into an array.
    #>
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Output,
        [Parameter(Mandatory = $true)][string]$Id
    )
    for ($i = $Output.Count - 1; $i -ge 0; $i--) {
        if ($Output[$i] -is [System.Collections.IDictionary] -and $Output[$i].Contains('state')) {
            return $Output[$i]
        }
    }
    return New-RmFinding -Id $Id -State 'error' -Reason 'no_finding'
}
