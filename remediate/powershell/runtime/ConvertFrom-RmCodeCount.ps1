function ConvertFrom-RmCodeCount {
    <#
    .SYNOPSIS
    'CODE:count,CODE:count' as a dictionary code -> count (canonical hex upper-cased; junk entries skipped).
    #>
    param([AllowEmptyString()][string]$Text)
    $counts = [ordered]@{}
    foreach ($entry in ($Text -split ',')) {
        $pair = $entry -split ':', 2
        $code = $pair[0].Trim()
        if ($code -match '^0[xX][0-9A-Fa-f]{8}$') {
            $code = '0x' + $code.Substring(2).ToUpperInvariant()
        }
        elseif ($code -notmatch '^AADSTS[0-9]{4,9}$') {
            continue
        }
        $hits = 1
        if ($pair.Count -eq 2 -and -not [int]::TryParse($pair[1], [ref]$hits)) {
            $hits = 1
        }
        $counts[$code] = $hits + [int]$counts[$code]
    }
    return $counts
}
