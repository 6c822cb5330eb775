function Get-RmOsAppxPackage {
    <#
    .SYNOPSIS
    OS seam: the current user's installed packages of one name, each with Name, Version and Status.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    return @(Get-AppxPackage -Name $Name -ErrorAction Stop | ForEach-Object {
            [ordered]@{ Name = [string]$_.Name; Version = [string]$_.Version; Status = [string]$_.Status }
        })
}
