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
