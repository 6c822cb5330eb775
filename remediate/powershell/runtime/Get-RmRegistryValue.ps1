function Open-RmRegistryKey {
    <#
    .SYNOPSIS
    Opens a registry key in the 64-bit view whatever the bitness of this PowerShell.
    .DESCRIPTION
    A 32-bit host would otherwise be redirected to WOW6432Node and read or fix the wrong value.
    Paths look like 'HKLM:\SOFTWARE\...', 'HKCU:\Software\...' or 'HKU:\S-1-5-21-...\Software\...'.
    Returns $null when the key does not exist (and -Create is not given). The caller closes the key.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [switch]$Writable,
        [switch]$Create
    )
    $parts = $Path -split ':\\', 2
    $hive = switch ($parts[0]) {
        'HKLM' { [Microsoft.Win32.RegistryHive]::LocalMachine }
        'HKCU' { [Microsoft.Win32.RegistryHive]::CurrentUser }
        'HKU' { [Microsoft.Win32.RegistryHive]::Users }
        default { throw ('unsupported registry hive in ' + $Path) }
    }
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey($hive, [Microsoft.Win32.RegistryView]::Registry64)
    if ($Create) {
        return $base.CreateSubKey($parts[1])
    }
    return $base.OpenSubKey($parts[1], [bool]$Writable)
}

function Get-RmRegistryValue {
    <#
    .SYNOPSIS
    Reads one value in the 64-bit view; $null when the key or the value is absent.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Name
    )
    $key = Open-RmRegistryKey -Path $Path
    if ($null -eq $key) {
        return $null
    }
    try {
        return $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    }
    finally {
        $key.Close()
    }
}

function Get-RmRegistrySubKeyName {
    <#
    .SYNOPSIS
    Names of the subkeys of a key in the 64-bit view; empty when the key is absent.
    #>
    param([Parameter(Mandatory = $true)][string]$Path)
    $key = Open-RmRegistryKey -Path $Path
    if ($null -eq $key) {
        return @()
    }
    try {
        return @($key.GetSubKeyNames() | Sort-Object)
    }
    finally {
        $key.Close()
    }
}

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

function Save-RmRegistryBackup {
    <#
    .SYNOPSIS
    Appends the current value (or its absence) to the check's backup file before a change.
    .DESCRIPTION
    One tab-separated line per value: stamp, path, name, kind, value ('<absent>' when it did not exist; kind
    'None' then, or 'NoKey:N' when the key was absent too, N being how many keys of the path were new).
    Undo (Restore-RmRegistryBackup): set each value back, or delete those recorded as <absent>.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][string]$Check
    )
    $folder = Join-Path (Get-RmDataRoot) 'backup'
    if (-not (Test-Path -LiteralPath $folder)) {
        $null = New-Item -ItemType Directory -Path $folder -Force -WhatIf:$false
    }
    $kind = 'None'
    $old = '<absent>'
    $key = Open-RmRegistryKey -Path $Path
    if ($null -eq $key) {
        # The key itself is new: undo deletes it again (and as many new parents as this counts) once empty.
        $kind = 'NoKey:' + (Get-RmMissingKeyDepth -Path $Path)
    }
    else {
        try {
            if ($key.GetValueNames() -contains $Name) {
                $kind = [string]$key.GetValueKind($Name)
                $old = [string]$key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
            }
        }
        finally {
            $key.Close()
        }
    }
    $line = ((Get-RmStamp), $Path, $Name, $kind, $old) -join "`t"
    # UTF-8 (no BOM): a value naming a non-ASCII path must come back unchanged on undo.
    [System.IO.File]::AppendAllText((Join-Path $folder ($Check + '.tsv')), $line + "`r`n", (New-Object System.Text.UTF8Encoding($false)))
}
