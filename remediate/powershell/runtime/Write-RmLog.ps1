function Write-RmLog {
    <#
    .SYNOPSIS
    Appends one ASCII line to the log file; never writes to the console (the console is for the result line).
    .DESCRIPTION
    Logging must never break a run: a failure to log is swallowed. The file rolls over to .1 beyond
    LogMaxKb so a year of hourly runs stays bounded.
    #>
    param([Parameter(Mandatory = $true)][string]$Message)
    try {
        $path = Get-RmLogPath
        $folder = Split-Path -Parent $path
        if (-not (Test-Path -LiteralPath $folder)) {
            $null = New-Item -ItemType Directory -Path $folder -Force -WhatIf:$false
        }
        if ((Test-Path -LiteralPath $path) -and ((Get-Item -LiteralPath $path).Length -gt ($RmConfig.LogMaxKb * 1024))) {
            Move-Item -LiteralPath $path -Destination ($path + '.1') -Force -WhatIf:$false
        }
        $stamp = Get-RmStamp
        $line = $stamp + ' [' + $RmConfig.Phase + '] ' + $Message
        $ascii = -join ($line.ToCharArray() | ForEach-Object { if ([int]$_ -ge 0x20 -and [int]$_ -le 0x7E) { $_ } else { '?' } })
        [System.IO.File]::AppendAllText($path, $ascii + "`r`n", [System.Text.Encoding]::ASCII)
    }
    catch {
        $null = $_
    }
}
