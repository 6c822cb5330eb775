function Save-RmState {
    <#
    .SYNOPSIS
    Writes the state hashtable back, sorted, through a temporary file so a crash never leaves half a file.
    #>
    param([Parameter(Mandatory = $true)][hashtable]$State)
    $path = Get-RmStatePath
    $folder = Split-Path -Parent $path
    if (-not (Test-Path -LiteralPath $folder)) {
        $null = New-Item -ItemType Directory -Path $folder -Force -WhatIf:$false
    }
    $lines = @($State.Keys | Sort-Object | ForEach-Object { $_ + '=' + $State[$_] })
    $temp = $path + '.tmp'
    [System.IO.File]::WriteAllLines($temp, [string[]]$lines, [System.Text.Encoding]::ASCII)
    # Replace is atomic on NTFS; Move-Item -Force deletes the old file first and could leave none. No backup
    # file: [NullString]::Value, because $null passed to a string parameter arrives as an empty path.
    if ([System.IO.File]::Exists($path)) {
        [System.IO.File]::Replace($temp, $path, [NullString]::Value)
    }
    else {
        [System.IO.File]::Move($temp, $path)
    }
}
