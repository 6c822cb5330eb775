function Get-RmState {
    <#
    .SYNOPSIS
    Reads the state file into a hashtable of 'check.key' = 'value' strings; empty when absent or unreadable.
    .DESCRIPTION
    A plain key=value text file rather than JSON: Windows PowerShell 5.1 turns JSON into PSCustomObjects
    that are awkward to update, and a line format is easy for an admin to read and reset.
    #>
    $state = @{}
    $path = Get-RmStatePath
    if (-not (Test-Path -LiteralPath $path)) {
        return $state
    }
    foreach ($line in [System.IO.File]::ReadAllLines($path)) {
        $pair = $line -split '=', 2
        if ($pair.Count -eq 2 -and $pair[0]) {
            $state[$pair[0]] = $pair[1]
        }
    }
    return $state
}
