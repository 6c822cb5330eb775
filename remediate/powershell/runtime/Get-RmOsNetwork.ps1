function Get-RmOsNetwork {
    <#
    .SYNOPSIS
    OS seam: what the VPN check reads of the network stack, as plain data.
    .DESCRIPTION
    Vpn: connected all-user built-in VPN profiles (Name). Adapters: adapters that are up (Index, Alias,
    Description). Metrics: IPv4 interface metric by interface index. Routes: IPv4 routes to Prefix in the
    active store (Index, Alias, Metric). A part that cannot be read is $null; no default route is empty.
    #>
    param([Parameter(Mandatory = $true)][string]$Prefix)
    $network = [ordered]@{ Vpn = $null; Adapters = $null; Metrics = $null; Routes = $null }
    try {
        $network.Vpn = @(Get-VpnConnection -AllUserConnection -ErrorAction Stop | Where-Object { [string]$_.ConnectionStatus -eq 'Connected' } | ForEach-Object { [ordered]@{ Name = [string]$_.Name } })
    }
    catch {
        $null = $_
    }
    try {
        $network.Adapters = @(Get-NetAdapter -ErrorAction Stop | Where-Object { [string]$_.Status -eq 'Up' } | ForEach-Object {
                [ordered]@{ Index = [int]$_.InterfaceIndex; Alias = [string]$_.Name; Description = [string]$_.InterfaceDescription }
            })
    }
    catch {
        $null = $_
    }
    try {
        $metrics = @{}
        foreach ($interface in @(Get-NetIPInterface -AddressFamily IPv4 -ErrorAction Stop)) {
            $metrics[[int]$interface.InterfaceIndex] = [int]$interface.InterfaceMetric
        }
        $network.Metrics = $metrics
        # No IPv4 default route at all is reported by Get-NetRoute as an error: that is an empty list here.
        $network.Routes = @(Get-NetRoute -DestinationPrefix $Prefix -PolicyStore ActiveStore -ErrorAction SilentlyContinue | ForEach-Object {
                [ordered]@{ Index = [int]$_.InterfaceIndex; Alias = [string]$_.InterfaceAlias; Metric = [int]$_.RouteMetric }
            })
    }
    catch {
        $null = $_
    }
    return $network
}
