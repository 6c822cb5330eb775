function Start-RmOsProcess {
    <#
    .SYNOPSIS
    OS seam: starts a program in the current user's session without waiting (e.g. an app again after a fix).
    #>
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string]$Arguments = ''
    )
    if ($Arguments) {
        $null = Start-Process -FilePath $FilePath -ArgumentList $Arguments
    }
    else {
        $null = Start-Process -FilePath $FilePath
    }
}
