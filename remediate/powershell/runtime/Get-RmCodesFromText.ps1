function Get-RmCodesFromText {
    <#
    .SYNOPSIS
    The error codes named in a message: hex (0xCAA20002), unsigned (3399614466) or signed (-895352830)
    decimal, and AADSTS numbers. Decimals count only when they fall in a known family, so that ordinary
    numbers in the text are not taken for codes.
    .DESCRIPTION
    Runs once per event over thousands of events: one regex pass, no cmdlets in the loop, sorted with
    an ordinal comparer (canonical codes are ASCII).
    #>
    param([AllowEmptyString()][string]$Text)
    $codes = @{}
    foreach ($m in [regex]::Matches($Text, '0[xX]([0-9A-Fa-f]{8})\b|(?<![\w.])(-?[0-9]{9,10})(?![\w.])|AADSTS([0-9]{4,9})')) {
        if ($m.Groups[1].Success) {
            $codes['0x' + $m.Groups[1].Value.ToUpperInvariant()] = $true
        }
        elseif ($m.Groups[2].Success) {
            $number = [long]$m.Groups[2].Value
            if ($number -ge -2147483648 -and $number -le 4294967295) {
                $code = ConvertTo-RmCanonicalCode -Value $number
                if (Get-RmCodeLayer -Code $code) {
                    $codes[$code] = $true
                }
            }
        }
        else {
            $codes['AADSTS' + $m.Groups[3].Value] = $true
        }
    }
    $sorted = [string[]]@($codes.Keys)
    [Array]::Sort($sorted, [System.StringComparer]::Ordinal)
    return $sorted
}
