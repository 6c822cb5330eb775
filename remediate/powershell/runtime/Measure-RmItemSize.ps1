function Measure-RmItemSize {
    <#
    .SYNOPSIS
    The total size in bytes of files and folders, counted only up to Limit (returns Limit + 1 beyond it).
    .DESCRIPTION
    A cache can hold hundreds of thousands of files: counting stops as soon as the total passes Limit, so
    that a size cap costs little. An unreadable folder counts as beyond the limit (unknown is not small).
    #>
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$Path,
        [Parameter(Mandatory = $true)][long]$Limit
    )
    [long]$total = 0
    foreach ($p in $Path) {
        try {
            $item = Get-Item -LiteralPath $p -Force
            if (-not $item.PSIsContainer) {
                $total += $item.Length
            }
            else {
                foreach ($file in $item.EnumerateFiles('*', [System.IO.SearchOption]::AllDirectories)) {
                    $total += $file.Length
                    if ($total -gt $Limit) {
                        return ($Limit + 1)
                    }
                }
            }
        }
        catch {
            return ($Limit + 1)
        }
        if ($total -gt $Limit) {
            return ($Limit + 1)
        }
    }
    return $total
}
