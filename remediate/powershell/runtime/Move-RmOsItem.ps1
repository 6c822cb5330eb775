function Move-RmOsItem {
    <#
    .SYNOPSIS
    OS seam: moves one file or folder; throws when it cannot (e.g. a file held open by a process).
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Destination
    )
    Move-Item -LiteralPath $Path -Destination $Destination -Force
}
