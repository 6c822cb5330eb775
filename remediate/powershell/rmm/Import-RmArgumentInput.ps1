function Import-RmArgumentInput {
    <#
    .SYNOPSIS
    Turns NAME=VALUE script arguments into environment variables of this process, for our input names only.
    .DESCRIPTION
    Datto RMM and NinjaOne pass script variables as environment variables; Tactical RMM, N-sight, NinjaOne's
    preset parameters and others pass a command line. Both end up in the environment, which a 64-bit relaunch
    inherits. A NAME may be an input's canonical name or its alias (NinjaOne's camelCase spelling).
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Arguments)
    foreach ($argument in $Arguments) {
        $pair = ([string]$argument) -split '=', 2
        if ($pair.Count -ne 2) {
            continue
        }
        foreach ($names in $RmRmm.Names.Values) {
            if (@($names) -contains $pair[0]) {
                [Environment]::SetEnvironmentVariable(@($names)[0], $pair[1], 'Process')
            }
        }
    }
}
