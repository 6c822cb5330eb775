function Get-RmOsProcess {
    <#
    .SYNOPSIS
    OS seam: the running processes of one image name (without .exe), each with Id, Name and SessionId.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    return @(Get-Process -Name $Name -ErrorAction SilentlyContinue | ForEach-Object {
            [ordered]@{ Id = [int]$_.Id; Name = [string]$_.ProcessName; SessionId = [int]$_.SessionId }
        })
}
