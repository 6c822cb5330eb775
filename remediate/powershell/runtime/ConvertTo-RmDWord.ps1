function ConvertTo-RmDWord {
    <#
    .SYNOPSIS
    A REG_DWORD as the signed 32-bit number RegistryKey.SetValue takes: 0xFFFFFFFF is -1, not an overflow.
    #>
    param([Parameter(Mandatory = $true)][long]$Value)
    if ($Value -gt [int]::MaxValue) {
        $Value -= 4294967296
    }
    return [int]$Value
}
