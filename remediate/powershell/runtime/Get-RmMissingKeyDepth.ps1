function Get-RmMissingKeyDepth {
    <#
    .SYNOPSIS
    How many keys at the end of a registry path do not exist yet (0 when the key exists).
    .DESCRIPTION
    Creating 'HKLM:\A\B\C' when only 'HKLM:\A' exists creates two keys; the backup records 2 so that undo
    deletes exactly those (when empty) and never a parent that was there before.
    #>
    param([Parameter(Mandatory = $true)][string]$Path)
    $depth = 0
    $current = $Path
    while ($current -match '^[A-Z]+:\\.+\\') {
        $key = Open-RmRegistryKey -Path $current
        if ($null -ne $key) {
            $key.Close()
            return $depth
        }
        $depth += 1
        $current = $current.Substring(0, $current.LastIndexOf('\'))
    }
    return $depth
}
