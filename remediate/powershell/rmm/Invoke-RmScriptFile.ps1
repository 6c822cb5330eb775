function Invoke-RmScriptFile {
    <#
    .SYNOPSIS
    Runs script text as a child Windows PowerShell (-File) with a deadline and returns its last output line
    and exit code. The file lives in this account's own data folder and is deleted afterwards.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Text,
        [Parameter(Mandatory = $true)][string]$Name
    )
    $folder = Join-Path (Get-RmDataRoot) 'rmm'
    if (-not (Test-Path -LiteralPath $folder)) {
        $null = New-Item -ItemType Directory -Path $folder -Force -WhatIf:$false
    }
    $path = Join-Path $folder ($Name + '-' + [guid]::NewGuid().ToString('N') + '.ps1')
    [System.IO.File]::WriteAllText($path, $Text, [System.Text.Encoding]::ASCII)
    try {
        $powershell = Join-Path $env:windir 'System32\WindowsPowerShell\v1.0\powershell.exe'
        $arguments = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $path + '"'
        $run = Invoke-RmNative -FilePath $powershell -Arguments $arguments -TimeoutSeconds $RmUserLaunch.TimeoutSeconds
    }
    finally {
        if ([System.IO.File]::Exists($path)) {
            [System.IO.File]::Delete($path)
        }
    }
    if (-not $run.Started -or $run.TimedOut) {
        throw ($Name + ' did not finish within ' + $RmUserLaunch.TimeoutSeconds + ' s ' + $run.Error)
    }
    $lines = @($run.Output -split "`r?`n" | Where-Object { $_.Trim() -ne '' })
    $last = ''
    if ($lines.Count -gt 0) {
        $last = [string]$lines[$lines.Count - 1]
    }
    Write-RmLog -Message ($Name + ' exit ' + $run.ExitCode + ' ' + $last)
    return [ordered]@{ Raw = $last; ExitCode = $run.ExitCode }
}
