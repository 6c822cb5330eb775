function Remove-RmRegistryValue {
    <#
    .SYNOPSIS
    Deletes one value in the 64-bit view after saving it for rollback. Absent values are left alone.
    #>
    [OutputType([bool])]
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][string]$Check
    )
    if ($null -eq (Get-RmRegistryValue -Path $Path -Name $Name)) {
        return $false
    }
    if (-not $PSCmdlet.ShouldProcess(($Path + '\' + $Name), 'delete value')) {
        return $false
    }
    Save-RmRegistryBackup -Path $Path -Name $Name -Check $Check
    $key = Open-RmRegistryKey -Path $Path -Writable
    try {
        $key.DeleteValue($Name, $false)
    }
    finally {
        $key.Close()
    }
    Write-RmLog -Message ($Check + ': deleted ' + $Path + '\' + $Name)
    return $true
}
