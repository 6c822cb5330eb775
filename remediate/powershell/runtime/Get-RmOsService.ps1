function Get-RmOsService {
    <#
    .SYNOPSIS
    OS seam: one service's status ('Running', 'Stopped', ...) and start type; Exists is false when absent.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        return [ordered]@{ Exists = $false; Status = ''; StartType = '' }
    }
    return [ordered]@{ Exists = $true; Status = [string]$service.Status; StartType = [string]$service.StartType }
}
