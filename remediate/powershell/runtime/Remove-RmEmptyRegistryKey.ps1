function Remove-RmEmptyRegistryKey {
    <#
    .SYNOPSIS
    Deletes a registry key and up to Depth - 1 of its parents, each only while it has no values and no
    subkeys; returns how many keys it deleted.
    .DESCRIPTION
    Undo of a value whose key the fix created (backup kind 'NoKey:N'): the machine gets back the tree it had.
    A key that holds anything (someone wrote to it since) stays.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][int]$Depth
    )
    $deleted = 0
    $current = $Path
    while ($deleted -lt $Depth -and $current -match '^[A-Z]+:\\.+\\') {
        $key = Open-RmRegistryKey -Path $current
        if ($null -eq $key) {
            return $deleted
        }
        try {
            $empty = (@($key.GetValueNames()).Count -eq 0) -and (@($key.GetSubKeyNames()).Count -eq 0)
        }
        finally {
            $key.Close()
        }
        if (-not $empty -or -not $PSCmdlet.ShouldProcess($current, 'delete empty key')) {
            return $deleted
        }
        $cut = $current.LastIndexOf('\')
        $leaf = $current.Substring($cut + 1)
        $current = $current.Substring(0, $cut)
        $parent = Open-RmRegistryKey -Path $current -Writable
        try {
            $parent.DeleteSubKey($leaf, $false)
        }
        finally {
            $parent.Close()
        }
        $deleted += 1
    }
    return $deleted
}
