function Get-RmInputValue {
    <#
    .SYNOPSIS
    The value of an input from the first of its names that is set, trimmed; '' when none is set.
    .DESCRIPTION
    NinjaOne names a script variable's environment variable after its display name (camelCase) and sends an
    empty variable as the literal text 'null': both spellings are read, and 'null' counts as not set.
    #>
    param([Parameter(Mandatory = $true)][string[]]$Names)
    foreach ($name in $Names) {
        $value = [Environment]::GetEnvironmentVariable($name)
        if ($null -eq $value) {
            continue
        }
        $value = $value.Trim()
        if ($value -ne '' -and @($RmRmm.EmptyWords) -notcontains $value.ToLowerInvariant()) {
            return $value
        }
    }
    return ''
}
