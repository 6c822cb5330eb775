function Test-RmInputOn {
    <#
    .SYNOPSIS
    Whether a switch input is on: only one of the rendered true words (1, true, yes, on) turns it on.
    #>
    param([Parameter(Mandatory = $true)][string]$Key)
    $value = Get-RmInputValue -Names $RmRmm.Names[$Key]
    return (@($RmRmm.TrueWords) -contains $value.ToLowerInvariant())
}
