function Get-RmRegistrySubKeyName {
    <#
    .SYNOPSIS
    Names of the subkeys of a key in the 64-bit view; empty when the key is absent.
    #>
    param([Parameter(Mandatory = $true)][string]$Path)
    $key = Open-RmRegistryKey -Path $Path
    if ($null -eq $key) {
        return @()
    }
    try {
        return @($key.GetSubKeyNames() | Sort-Object)
    }
    finally {
        $key.Close()
    }
}
