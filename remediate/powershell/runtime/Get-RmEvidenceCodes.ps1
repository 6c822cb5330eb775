function Get-RmCodeLayer {
    <#
    .SYNOPSIS
    The layer of a canonical code ('0xCAA20002' or 'AADSTS50126'): exact table first, then family rules.
    .DESCRIPTION
    The table and the rules are rendered from remediate/codes.py, so scripts classify codes as
    `remediate explain` does.
    #>
    param([Parameter(Mandatory = $true)][string]$Code)
    if ($RmCodeTable.ContainsKey($Code)) {
        return $RmCodeTable[$Code]
    }
    if ($Code.StartsWith('AADSTS')) {
        return 'aadsts'
    }
    $value = [Convert]::ToInt64($Code.Substring(2), 16)
    foreach ($rule in $RmCodeFamilies) {
        if (($value -band $rule.Mask) -eq $rule.Match) {
            return $rule.Layer
        }
    }
    return ''
}

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

function Add-RmEvidence {
    <#
    .SYNOPSIS
    Adds counted codes (code -> number of events naming it) of some events to an evidence summary.
    .DESCRIPTION
    Called once with the counts of a whole log rather than once per event: thousands of events, few codes.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Evidence,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Counts,
        [Parameter(Mandatory = $true)][int]$Events
    )
    foreach ($name in @('codes', 'layers')) {
        if (-not $Evidence.Contains($name)) {
            $Evidence[$name] = @{}
        }
    }
    if (-not $Evidence.Contains('events')) {
        $Evidence['events'] = 0
    }
    $Evidence['events'] = [int]$Evidence['events'] + $Events
    foreach ($code in $Counts.Keys) {
        $Evidence.codes[$code] = [int]$Counts[$code] + [int]$Evidence.codes[$code]
        $layer = Get-RmCodeLayer -Code $code
        if ($layer) {
            $Evidence.layers[$layer] = [int]$Counts[$code] + [int]$Evidence.layers[$layer]
        }
    }
}
