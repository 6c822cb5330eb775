function Expand-RmPackedText {
    <#
    .SYNOPSIS
    ASCII text from the gzip + base64 chunks the renderer packed (the embedded user package and launcher), or
    from plain lines when the whole script is compressed already (the N-sight loader compresses them better).
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string[]]$Chunks)
    if (-not $RmUserLaunch.Packed) {
        return ($Chunks -join "`r`n")
    }
    $bytes = [Convert]::FromBase64String(($Chunks -join ''))
    $stream = New-Object -TypeName System.IO.MemoryStream -ArgumentList @(, $bytes)
    $gzip = New-Object -TypeName System.IO.Compression.GZipStream -ArgumentList @($stream, [System.IO.Compression.CompressionMode]::Decompress)
    $reader = New-Object -TypeName System.IO.StreamReader -ArgumentList @($gzip, [System.Text.Encoding]::ASCII)
    try {
        return $reader.ReadToEnd()
    }
    finally {
        $reader.Dispose()
    }
}

function Get-RmUserPayload {
    <#
    .SYNOPSIS
    The user package for the launcher: the switch inputs of this run first (a scheduled task does not
    inherit SYSTEM's environment), as fixed '0'/'1' literals, then the embedded script.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Inputs)
    $prelude = ''
    foreach ($key in @('Fix', 'DryRun', 'ResetState')) {
        $value = '0'
        if ($Inputs[$key]) {
            $value = '1'
        }
        $prelude += '$env:' + $RmRmm.Inputs[$key] + " = '" + $value + "'`r`n"
    }
    return ($prelude + (Expand-RmPackedText -Chunks $RmUserLaunch.Payload))
}

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

function Invoke-RmUserPackage {
    <#
    .SYNOPSIS
    Runs the embedded user package and returns its JSON line and exit code, for the caller to format.
    .DESCRIPTION
    As SYSTEM (what RMM agents run as) the package must act on the signed-in user's profile, not
    SYSTEM's: it goes through the interactive-user launcher (remediate/powershell/
    launcher/Invoke-RmAsInteractiveUser.ps1, embedded), which answers skipped/no_interactive_user when nobody is
    signed in. Started in the user's session already (an RMM's "run as logged-on user"), it runs directly.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Inputs,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context
    )
    $payload = Get-RmUserPayload -Inputs $Inputs
    if ($Context.Account -ne 'system') {
        return (Invoke-RmScriptFile -Text $payload -Name 'user-package')
    }
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::ASCII.GetBytes($payload))
    $launcher = (Expand-RmPackedText -Chunks $RmUserLaunch.Launcher).Replace($RmUserLaunch.Token, $encoded)
    return (Invoke-RmScriptFile -Text $launcher -Name 'user-launcher')
}
