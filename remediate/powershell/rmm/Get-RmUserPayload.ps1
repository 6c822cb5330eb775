function Get-RmUserPayload {
    <#
    .SYNOPSIS
    The user package for the launcher: the switch inputs of this run first (a scheduled task does not
    inherit SYSTEM's environment), as fixed '0'/'1' literals, then the embedded script.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Inputs)
    $prelude = ''
    foreach ($key in @('Fix', 'DryRun', 'ResetState')) {
        $value = '0'
        if ($Inputs[$key]) {
            $value = '1'
        }
        $prelude += '$env:' + $RmRmm.Inputs[$key] + " = '" + $value + "'`r`n"
    }
    return ($prelude + (Expand-RmPackedText -Chunks $RmUserLaunch.Payload))
}
