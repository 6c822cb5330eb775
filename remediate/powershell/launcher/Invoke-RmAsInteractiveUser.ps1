<#
.SYNOPSIS
    Runs a remediate user package in the signed-in user's session through a one-off scheduled task.
.DESCRIPTION
    A WinRM/PSRP session runs as the connecting admin (network logon) and a local agent runs as SYSTEM: HKCU,
    WAM and Appx registration would act on the wrong account (the admin's or SYSTEM's). This launcher registers a
    one-off task whose principal is the interactive user (LogonType Interactive), runs the package from a
    folder only SYSTEM, Administrators and that user can open, waits up to the deadline, relays the package's
    last output line and exit code, and always removes the task and the folder. With nobody signed in it
    answers verdict skipped, reason no_interactive_user (not an error).
    Rendered by remediate.launcher; the values in braces are filled in at run time.
#>
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$RmLauncherPackage = '{{PACKAGE}}'
$RmLauncherPhase = '{{PHASE}}'
$RmLauncherWaitSeconds = {{WAIT_SECONDS}}
$RmLauncherExitSkipped = {{EXIT_SKIPPED}}
$RmLauncherExitError = {{EXIT_ERROR}}
$RmLauncherTaskPath = '\remediate\'
$RmLauncherPayload = @'
{{PAYLOAD}}
'@

function ConvertTo-RmAsciiText {
    param([string]$Text)
    # Intune and RMM output goes through the OEM code page: keep the result line pure ASCII.
    return ($Text -replace '[^\x20-\x7E]', '?')
}

function New-RmLauncherResult {
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'builds the JSON result line of the launcher in memory; changes nothing on the system')]
    param([string]$Verdict, [string]$Reason, [string]$Message)
    $findings = @()
    if ($Message) {
        $facts = [ordered]@{ message = (ConvertTo-RmAsciiText -Text $Message) }
        $findings = @([ordered]@{ id = 'user_launcher'; state = 'error'; reason = $Reason; facts = $facts })
    }
    $result = [ordered]@{
        schema_version = 1
        package        = $RmLauncherPackage
        phase          = $RmLauncherPhase
        verdict        = $Verdict
        reason         = $Reason
        context        = 'system'
        computer       = (ConvertTo-RmAsciiText -Text $env:COMPUTERNAME)
        findings       = $findings
    }
    return (ConvertTo-Json -InputObject $result -Compress -Depth 5)
}

function Get-RmOsInteractiveUser {
    <#
    .SYNOPSIS
    OS seam: the signed-in user as DOMAIN\name (the console user, else an explorer.exe owner), or $null.
    #>
    # The console user first; otherwise the owner of an explorer.exe (a signed-in RDP session).
    $console = (Get-CimInstance -ClassName Win32_ComputerSystem).UserName
    if ($console) {
        return [string]$console
    }
    $explorers = @(Get-CimInstance -ClassName Win32_Process -Filter "Name = 'explorer.exe'")
    foreach ($process in $explorers) {
        $owner = Invoke-CimMethod -InputObject $process -MethodName GetOwner
        if ($owner.ReturnValue -eq 0 -and $owner.User) {
            return ('{0}\{1}' -f $owner.Domain, $owner.User)
        }
    }
    return $null
}

function Protect-RmOsFolder {
    <#
    .SYNOPSIS
    OS seam: icacls leaves only SYSTEM, Administrators (full control) and User (modify) on Path; throws on failure.
    #>
    param([string]$Path, [string]$User)
    # Inherited ACEs (Users: read) are removed: only SYSTEM, Administrators and the target user remain.
    $grants = @('*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F', ('{0}:(OI)(CI)M' -f $User))
    $null = & icacls.exe $Path /inheritance:r /grant:r $grants
    if ($LASTEXITCODE -ne 0) {
        throw ('icacls could not protect {0} (exit {1})' -f $Path, $LASTEXITCODE)
    }
}

function Register-RmOsUserTask {
    <#
    .SYNOPSIS
    OS seam: registers the one-off task that runs powershell.exe Argument as User (LogonType Interactive).
    #>
    param([string]$TaskName, [string]$User, [string]$Argument, [int]$LimitSeconds)
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $Argument
    $principal = New-ScheduledTaskPrincipal -UserId $User -LogonType Interactive -RunLevel Limited
    $limit = New-TimeSpan -Seconds $LimitSeconds
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -ExecutionTimeLimit $limit
    $null = Register-ScheduledTask -TaskName $TaskName -TaskPath $RmLauncherTaskPath -Action $action -Principal $principal -Settings $settings -Force
}

function Start-RmOsUserTask {
    <#
    .SYNOPSIS
    OS seam: starts the registered task without waiting for it.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; it starts the task the launcher registered a moment before, and a dry run is for the payload to honour')]
    param([string]$TaskName)
    Start-ScheduledTask -TaskName $TaskName -TaskPath $RmLauncherTaskPath
}

function Stop-RmOsUserTask {
    <#
    .SYNOPSIS
    OS seam: stops the task (past its deadline); a task that has ended already is no error.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; it stops only the task this launcher registered, past its deadline')]
    param([string]$TaskName)
    Stop-ScheduledTask -TaskName $TaskName -TaskPath $RmLauncherTaskPath -ErrorAction SilentlyContinue
}

function Unregister-RmOsUserTask {
    <#
    .SYNOPSIS
    OS seam: deletes the task; a task that is gone already is no error.
    #>
    param([string]$TaskName)
    Unregister-ScheduledTask -TaskName $TaskName -TaskPath $RmLauncherTaskPath -Confirm:$false -ErrorAction SilentlyContinue
}

function New-RmProtectedFolder {
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'the private working folder of the launcher, deleted when the run ends: the run cannot happen without it, and a dry run is for the payload to honour')]
    param([string]$Path, [string]$User)
    # The caller holds the path before the folder exists, so that its finally removes it even when icacls fails.
    $null = New-Item -ItemType Directory -Path $Path -Force
    Protect-RmOsFolder -Path $Path -User $User
}

function Test-RmResultLine {
    param([string]$Line)
    # The relayed line must be a package result (one JSON object), whatever the payload printed before dying.
    if (-not $Line.StartsWith('{')) {
        return $false
    }
    try {
        $parsed = ConvertFrom-Json -InputObject $Line
        return ($null -ne $parsed.PSObject.Properties['verdict'])
    } catch {
        return $false
    }
}

function Clear-RmLauncherFolder {
    param([string]$Path)
    try {
        if ($Path -and [IO.Directory]::Exists($Path)) {
            [IO.Directory]::Delete($Path, $true)
        }
    } catch {
        # A file still held open must not replace the result line; the folder holds no secrets of its own.
        $null = $_
    }
}

function Invoke-RmUserTask {
    param([string]$User, [string]$Folder)
    $scriptPath = Join-Path -Path $Folder -ChildPath 'package.ps1'
    $outPath = Join-Path -Path $Folder -ChildPath 'output.txt'
    $codePath = Join-Path -Path $Folder -ChildPath 'exitcode.txt'
    $codeTemp = Join-Path -Path $Folder -ChildPath 'exitcode.tmp'
    [IO.File]::WriteAllBytes($scriptPath, [Convert]::FromBase64String($RmLauncherPayload))
    # The task runs the package exactly as Intune does (-File), captures every stream, then records the code.
    # The code is written beside and renamed into place: exitcode.txt appears only whole, never empty.
    $inner = "& powershell.exe -NoProfile -ExecutionPolicy Bypass -File '$scriptPath' *> '$outPath'; " +
        "[IO.File]::WriteAllText('$codeTemp', [string]`$LASTEXITCODE); [IO.File]::Move('$codeTemp', '$codePath')"
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($inner))
    $taskName = 'remediate-' + [guid]::NewGuid().ToString('N')
    $argument = '-NoProfile -NonInteractive -WindowStyle Hidden -ExecutionPolicy Bypass -EncodedCommand ' + $encoded
    Register-RmOsUserTask -TaskName $taskName -User $User -Argument $argument -LimitSeconds ($RmLauncherWaitSeconds + 30)
    try {
        Start-RmOsUserTask -TaskName $taskName
        $deadline = [DateTime]::UtcNow.AddSeconds($RmLauncherWaitSeconds)
        while (-not (Test-Path -LiteralPath $codePath) -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 500
        }
        if (-not (Test-Path -LiteralPath $codePath)) {
            Stop-RmOsUserTask -TaskName $taskName
            $message = 'the user task did not finish within {0} s' -f $RmLauncherWaitSeconds
            $line = New-RmLauncherResult -Verdict 'error' -Reason 'user_task_timeout' -Message $message
            return @{ Line = $line; ExitCode = $RmLauncherExitError }
        }
        $code = [int]([IO.File]::ReadAllText($codePath).Trim())
        $lines = @()
        if (Test-Path -LiteralPath $outPath) {
            $lines = @(Get-Content -LiteralPath $outPath | Where-Object { $_.Trim() -ne '' })
        }
        $last = ''
        if ($lines.Count -gt 0) {
            $last = [string]$lines[$lines.Count - 1]
        }
        if (-not (Test-RmResultLine -Line $last)) {
            # A package stopped before its own result (application control, a killed process) leaves no JSON line.
            $shown = $last.Substring(0, [Math]::Min(300, $last.Length))
            $message = 'the user task ended with exit {0} but no result line; last output: {1}' -f $code, $shown
            $line = New-RmLauncherResult -Verdict 'error' -Reason 'user_task_no_result' -Message $message
            return @{ Line = $line; ExitCode = $RmLauncherExitError }
        }
        return @{ Line = $last; ExitCode = $code }
    } finally {
        Unregister-RmOsUserTask -TaskName $taskName
    }
}

$RmExitCode = $RmLauncherExitError
$RmLine = ''
$RmFolder = $null
try {
    $user = Get-RmOsInteractiveUser
    if (-not $user) {
        $RmLine = New-RmLauncherResult -Verdict 'skipped' -Reason 'no_interactive_user' -Message ''
        $RmExitCode = $RmLauncherExitSkipped
    } else {
        $RmFolder = Join-Path -Path $env:ProgramData -ChildPath ('remediate\run-' + [guid]::NewGuid().ToString('N'))
        New-RmProtectedFolder -Path $RmFolder -User $user
        $run = Invoke-RmUserTask -User $user -Folder $RmFolder
        $RmLine = $run.Line
        $RmExitCode = $run.ExitCode
    }
} catch {
    $RmLine = New-RmLauncherResult -Verdict 'error' -Reason 'unhandled_error' -Message $_.Exception.Message
    $RmExitCode = $RmLauncherExitError
} finally {
    Clear-RmLauncherFolder -Path $RmFolder
}
Write-Output $RmLine
exit $RmExitCode
