function ConvertFrom-RmEvidenceStamp {
    <#
    .SYNOPSIS
    An evidence file's time, or $null when it is missing or not in the one stamp format (never throws).
    #>
    param([AllowEmptyString()][AllowNull()][string]$Text)
    $time = [DateTime]::MinValue
    if ($Text -and [DateTime]::TryParseExact($Text, 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal', [ref]$time)) {
        return $time
    }
    return $null
}
