# The simulated Windows for the interactive-user launcher (remediate/powershell/launcher/
# Invoke-RmAsInteractiveUser.ps1): stand-ins for the launcher's OS seam. splice.splice_launcher puts these in place
# of the launcher's own definitions; SimWindows.ps1's prelude (the machine) and helpers go in front as for every
# script. Everything else in the launcher (folder, payload file, the task's command line, deadline loop, reading
# output.txt and exitcode.txt, result line, cleanup) runs as shipped.
#
# Machine data (tests/simwin/launcher.py): 'interactive_user' = {Name, Identity, Profile} or $null (nobody signed
# in); faults 'icacls' (icacls fails), 'usertask.hang' (the task starts but never finishes).
# Record: 'user_tasks' by task path+name ({User, State, Folder...}; State ends 'Unregistered'); the folders icacls
# protected in 'acl'; the user task's own machine changes are merged back when the task is unregistered.

function Get-RmOsInteractiveUser {
    $user = $script:SimMachine['interactive_user']
    if ($null -eq $user) {
        return $null
    }
    return [string]$user['Name']
}

function Protect-RmOsFolder {
    param([string]$Path, [string]$User)
    $script:SimMachine['acl'][$Path] = [ordered]@{ protected = $true; modify = $User }
    if ($script:SimMachine['faults'].ContainsKey('icacls')) {
        Add-SimJournal -Text ('icacls failed ' + $Path)
        # 1332: no mapping between account names and security IDs (a user name icacls cannot resolve).
        throw ('icacls could not protect {0} (exit {1})' -f $Path, 1332)
    }
    Add-SimJournal -Text ('icacls ' + $Path + ' ' + $User)
}

function Get-SimUserTasks {
    if (-not $script:SimMachine.ContainsKey('user_tasks')) {
        $script:SimMachine['user_tasks'] = [ordered]@{}
    }
    return $script:SimMachine['user_tasks']
}

function Register-RmOsUserTask {
    param([string]$TaskName, [string]$User, [string]$Argument, [int]$LimitSeconds)
    Invoke-SimFault -Operation 'usertask.register' -Target $TaskName
    (Get-SimUserTasks)[$RmLauncherTaskPath + $TaskName] = [ordered]@{
        User = $User; Argument = $Argument; LimitSeconds = $LimitSeconds; State = 'Ready'
    }
    Add-SimJournal -Text ('usertask.register ' + $RmLauncherTaskPath + $TaskName + ' ' + $User)
}

function Get-SimPowerShellShim {
    # 'powershell.exe' on the task's PATH is this PowerShell (Windows finds powershell.exe in System32).
    $bin = Join-Path -Path $env:HOME -ChildPath 'simbin'
    $shim = Join-Path -Path $bin -ChildPath 'powershell.exe'
    if (-not (Test-Path -LiteralPath $shim)) {
        $null = New-Item -ItemType Directory -Path $bin -Force
        $pwsh = $env:SIMWIN_PWSH
        if (-not $pwsh) {
            $pwsh = Join-Path -Path $PSHOME -ChildPath 'pwsh'
        }
        [System.IO.File]::WriteAllText($shim, "#!/bin/sh`nexec '" + $pwsh + "' `"`$@`"`n")
        [System.IO.File]::SetUnixFileMode($shim, [System.IO.UnixFileMode]'UserRead,UserWrite,UserExecute')
    }
    return $shim
}

function Start-RmOsUserTask {
    # Runs the task's action for real, as Task Scheduler would: powershell.exe with the registered argument, in
    # a child process whose machine identity is the interactive user's and whose profile folders are theirs.
    param([string]$TaskName)
    $key = $RmLauncherTaskPath + $TaskName
    $task = (Get-SimUserTasks)[$key]
    if ($null -eq $task) {
        throw ('The system cannot find the file specified: ' + $key)
    }
    $task['State'] = 'Running'
    Add-SimJournal -Text ('usertask.start ' + $key)
    if ($script:SimMachine['faults'].ContainsKey('usertask.hang')) {
        return  # the task "runs" and never finishes: nothing writes exitcode.txt
    }
    $user = $script:SimMachine['interactive_user']
    $work = Split-Path -Parent $env:SIMWIN_STATE
    $state = Join-Path -Path $work -ChildPath ('task-' + $TaskName + '-machine.json')
    $after = Join-Path -Path $work -ChildPath ('task-' + $TaskName + '-after.json')
    $machine = [ordered]@{}
    foreach ($name in $script:SimMachine.Keys) {
        if ($name -ne 'journal') {
            $machine[$name] = $script:SimMachine[$name]
        }
    }
    $machine['identity'] = $user['Identity']
    [System.IO.File]::WriteAllText($state, (ConvertTo-Json -InputObject $machine -Depth 30 -Compress))
    [System.IO.File]::WriteAllText($after, '{"journal":[]}')
    $profilePath = Join-Path -Path (Split-Path -Parent $env:ProgramData) -ChildPath ([string]$user['Profile'])
    # A task gets the user's environment block, not the launcher's: only the machine-wide variables go over.
    $environment = @{}
    foreach ($entry in [System.Environment]::GetEnvironmentVariables().GetEnumerator()) {
        $environment[[string]$entry.Key] = $null
    }
    foreach ($name in @('HOME', 'LANG', 'LC_ALL', 'COMPUTERNAME', 'ProgramData', 'windir', 'SystemRoot', 'TEMP', 'SIMWIN_PWSH', 'POWERSHELL_TELEMETRY_OPTOUT', 'POWERSHELL_UPDATECHECK', 'DOTNET_CLI_TELEMETRY_OPTOUT')) {
        $environment[$name] = [System.Environment]::GetEnvironmentVariable($name)
    }
    $own = @{
        SIMWIN_STATE = $state; SIMWIN_AFTER = $after
        PATH = (Split-Path -Parent (Get-SimPowerShellShim)) + ':' + $env:PATH
        USERPROFILE = $profilePath
        LOCALAPPDATA = (Join-Path -Path $profilePath -ChildPath 'AppData/Local')
        APPDATA = (Join-Path -Path $profilePath -ChildPath 'AppData/Roaming')
    }
    foreach ($name in $own.Keys) {
        $environment[$name] = $own[$name]
    }
    # -WindowStyle is not implemented by PowerShell on Linux; a task runs without a console window anyway.
    $argument = $task['Argument'].Replace('-WindowStyle Hidden ', '')
    $console = Join-Path -Path $work -ChildPath ('task-' + $TaskName + '-console')
    $process = Start-Process -FilePath (Get-SimPowerShellShim) -ArgumentList $argument -Environment $environment -RedirectStandardOutput ($console + '.out') -RedirectStandardError ($console + '.err') -PassThru
    $task['ProcessId'] = $process.Id
    $task['After'] = $after
    Save-SimMachine
}

function Stop-RmOsUserTask {
    param([string]$TaskName)
    $task = (Get-SimUserTasks)[$RmLauncherTaskPath + $TaskName]
    if ($null -eq $task) {
        return
    }
    if ($task['ProcessId']) {
        Stop-Process -Id $task['ProcessId'] -Force -ErrorAction SilentlyContinue
    }
    $task['State'] = 'Stopped'
    Add-SimJournal -Text ('usertask.stop ' + $RmLauncherTaskPath + $TaskName)
}

function Unregister-RmOsUserTask {
    # The task is deleted; what its run changed on the machine (the user's hive, processes...) becomes the
    # machine's, and its journal follows the launcher's.
    param([string]$TaskName)
    $key = $RmLauncherTaskPath + $TaskName
    $task = (Get-SimUserTasks)[$key]
    if ($null -eq $task) {
        return
    }
    if ($task['After'] -and (Test-Path -LiteralPath $task['After'])) {
        $changed = [System.IO.File]::ReadAllText($task['After']) | ConvertFrom-Json -AsHashtable
        foreach ($name in $changed.Keys) {
            if ($name -notin @('journal', 'identity', 'user_tasks')) {
                $script:SimMachine[$name] = $changed[$name]
            }
        }
        $script:SimMachine['journal'] += @($changed['journal'])
    }
    $task['State'] = 'Unregistered'
    Add-SimJournal -Text ('usertask.unregister ' + $key)
}
