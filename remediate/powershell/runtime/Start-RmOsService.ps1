function Start-RmOsService {
    <#
    .SYNOPSIS
    OS seam: starts one service and waits until it runs (Start-Service's own wait); throws on failure.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    Start-Service -Name $Name -ErrorAction Stop
}
