function Measure-RmItemSize {
    <#
    .SYNOPSIS
    Bytes in files and folders, counted only up to Limit (Limit + 1 beyond it, or when unreadable).
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
