function ConvertFrom-RmStamp {
    <#
    .SYNOPSIS
    Reads a time written by Get-RmStamp back as a UTC DateTime (culture-independent).
    #>
    param([Parameter(Mandatory = $true)][string]$Text)
    return [DateTime]::ParseExact($Text, 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal')
}
