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
    #>
    param([AllowEmptyString()][string]$Text)
    $codes = New-Object System.Collections.Generic.List[string]
    foreach ($m in [regex]::Matches($Text, '0[xX]([0-9A-Fa-f]{8})\b')) {
        $codes.Add((ConvertTo-RmCanonicalCode -Value ([Convert]::ToInt64($m.Groups[1].Value, 16))))
    }
    foreach ($m in [regex]::Matches($Text, '(?<![\w.])(-?[0-9]{9,10})(?![\w.])')) {
        $number = [long]$m.Groups[1].Value
        if ($number -ge -2147483648 -and $number -le 4294967295) {
            $code = ConvertTo-RmCanonicalCode -Value $number
            if (Get-RmCodeLayer -Code $code) {
                $codes.Add($code)
            }
        }
    }
    foreach ($m in [regex]::Matches($Text, 'AADSTS([0-9]{4,9})')) {
        $codes.Add('AADSTS' + $m.Groups[1].Value)
    }
    return @($codes | Sort-Object -Unique)
}

function Add-RmEvidence {
    <#
    .SYNOPSIS
    Counts the codes of one piece of evidence (an event, a log line) into an evidence summary.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Evidence,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$Codes
    )
    foreach ($name in @('codes', 'layers')) {
        if (-not $Evidence.Contains($name)) {
            $Evidence[$name] = @{}
        }
    }
    if (-not $Evidence.Contains('events')) {
        $Evidence['events'] = 0
    }
    $Evidence['events'] = [int]$Evidence['events'] + 1
    foreach ($code in $Codes) {
        $Evidence.codes[$code] = 1 + [int]$Evidence.codes[$code]
        $layer = Get-RmCodeLayer -Code $code
        if ($layer) {
            $Evidence.layers[$layer] = 1 + [int]$Evidence.layers[$layer]
        }
    }
}
