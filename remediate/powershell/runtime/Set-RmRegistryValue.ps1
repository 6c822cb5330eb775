function Set-RmRegistryValue {
    <#
    .SYNOPSIS
    Writes one value in the 64-bit view, creating the key, after saving the old value for rollback.
    #>
    [OutputType([bool])]
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][object]$Value,
        [ValidateSet('DWord', 'QWord', 'String', 'ExpandString', 'MultiString')][string]$Kind = 'DWord',
        [Parameter(Mandatory = $true)][string]$Check
    )
    if (-not $PSCmdlet.ShouldProcess(($Path + '\' + $Name), ('set to ' + $Value))) {
        return $false
    }
    Save-RmRegistryBackup -Path $Path -Name $Name -Check $Check
    $key = Open-RmRegistryKey -Path $Path -Create
    try {
        $key.SetValue($Name, $Value, [Microsoft.Win32.RegistryValueKind]$Kind)
    }
    finally {
        $key.Close()
    }
    Write-RmLog -Message ($Check + ': set ' + $Path + '\' + $Name + ' = ' + $Value)
    return $true
}
