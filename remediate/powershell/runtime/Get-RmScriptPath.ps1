function Get-RmScriptPath {
    <#
    .SYNOPSIS
    The file this script runs from: its own path, or, for a script run from memory by the compressed loader
    (remediate/powershell/loader.ps1.j2, which has no path of its own there), the loader's file.
    #>
    if ($PSCommandPath) {
        return $PSCommandPath
    }
    return [string]$env:REMEDIATE_SCRIPT_PATH
}
