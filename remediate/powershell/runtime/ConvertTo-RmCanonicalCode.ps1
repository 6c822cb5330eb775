function ConvertTo-RmCanonicalCode {
    <#
    .SYNOPSIS
    '0x' plus eight upper-case hex digits for a 32-bit value given as a signed or unsigned number.
    #>
    param([Parameter(Mandatory = $true)][long]$Value)
    if ($Value -lt 0) {
        $Value = $Value + 4294967296
    }
    return ('0x{0:X8}' -f $Value)
}
