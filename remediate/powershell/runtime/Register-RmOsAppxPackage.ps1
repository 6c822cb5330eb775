function Register-RmOsAppxPackage {
    <#
    .SYNOPSIS
    OS seam: re-registers a system package for the current user from its manifest (Microsoft's own fix for
    the WAM plug-in); -ForceApplicationShutdown closes the apps that use it. Throws on failure.
    #>
    param([Parameter(Mandatory = $true)][string]$Manifest)
    Add-AppxPackage -Path $Manifest -Register -DisableDevelopmentMode -ForceApplicationShutdown -ErrorAction Stop -WarningAction SilentlyContinue
}
