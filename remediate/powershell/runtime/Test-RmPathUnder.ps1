function Test-RmPathUnder {
    <#
    .SYNOPSIS
    Whether a path lies strictly below one of the given roots (full paths, case-insensitive).
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string[]]$Root
    )
    $separator = [System.IO.Path]::DirectorySeparatorChar
    $full = [System.IO.Path]::GetFullPath($Path).TrimEnd($separator)
    foreach ($r in $Root) {
        $prefix = [System.IO.Path]::GetFullPath($r).TrimEnd($separator) + $separator
        if ($full.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $true
        }
    }
    return $false
}
