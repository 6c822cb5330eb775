function Restore-RmRegistryEntry {
    <#
    .SYNOPSIS
    Applies one backup line (see Restore-RmRegistryBackup): sets the old value, or deletes a value that was
    absent (and its keys when the fix created them). Returns whether it changed anything; throws on failure.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([bool])]
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Entry)
    $target = $Entry.Path + '\' + $Entry.Name
    if ($Entry.Old -eq '<absent>') {
        if (-not $PSCmdlet.ShouldProcess($target, 'delete value (it did not exist before)')) {
            return $true
        }
        $key = Open-RmRegistryKey -Path $Entry.Path -Writable
        if ($null -ne $key) {
            try {
                $key.DeleteValue($Entry.Name, $false)
            }
            finally {
                $key.Close()
            }
        }
        if ($Entry.Kind -match '^NoKey:([0-9]+)$') {
            $null = Remove-RmEmptyRegistryKey -Path $Entry.Path -Depth ([int]$Matches[1])
        }
        return $true
    }
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $value = switch ($Entry.Kind) {
        'DWord' { ConvertTo-RmDWord -Value ([long]::Parse($Entry.Old, $invariant)) }
        'QWord' { [long]::Parse($Entry.Old, $invariant) }
        'String' { $Entry.Old }
        'ExpandString' { $Entry.Old }
        default { throw ('cannot restore a value of kind ' + $Entry.Kind) }
    }
    if (-not $PSCmdlet.ShouldProcess($target, ('set back to ' + $Entry.Old))) {
        return $true
    }
    $key = Open-RmRegistryKey -Path $Entry.Path -Create
    try {
        $key.SetValue($Entry.Name, $value, [Microsoft.Win32.RegistryValueKind]$Entry.Kind)
    }
    finally {
        $key.Close()
    }
    return $true
}
