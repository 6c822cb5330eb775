# The simulated Windows: PowerShell 7 stand-ins for the runtime's OS seam (docs/simulated-windows.md).
#
# tests/simwin/splice.py builds a test copy of a generated script: the definitions below whose names are seam
# functions replace the script's own definitions of the same name; every other function here (the Sim* helpers)
# and the prelude at the end are put in front of the script. The delivered script itself is never changed.
#
# The machine state is a JSON file (SIMWIN_STATE) written by tests/simwin/machine.py. What a run changes is
# written back to SIMWIN_AFTER after every change (the script ends with `exit`, so there is no later moment):
# the whole machine but its event logs, plus a journal of every state-changing call.

function Get-SimMachine {
    return $script:SimMachine
}

function Save-SimMachine {
    # Everything but the event logs (large, and read-only to the scripts).
    $after = [ordered]@{}
    foreach ($key in $script:SimMachine.Keys) {
        if ($key -ne 'events') {
            $after[$key] = $script:SimMachine[$key]
        }
    }
    [System.IO.File]::WriteAllText($env:SIMWIN_AFTER, ($after | ConvertTo-Json -Depth 30 -Compress))
}

function Add-SimJournal {
    param([string]$Text)
    $script:SimMachine['journal'] += @($Text)
    Save-SimMachine
}

function Invoke-SimFault {
    # A call listed in the machine's 'faults' throws the configured message (access denied, timeouts...).
    param([string]$Operation, [string]$Target)
    $faults = $script:SimMachine['faults']
    if ($null -eq $faults) {
        return
    }
    foreach ($key in @(($Operation + ':' + $Target), $Operation)) {
        if ($faults.ContainsKey($key)) {
            throw [System.UnauthorizedAccessException]::new([string]$faults[$key])
        }
    }
}

function ConvertTo-SimRegistryPath {
    # 'HKLM:\SOFTWARE\X' -> 'HKLM\SOFTWARE\X'; HKCU is the current identity's hive under HKU.
    param([string]$Path)
    $parts = $Path -split ':\\', 2
    $rest = ''
    if ($parts.Count -eq 2) {
        $rest = $parts[1].Trim('\')
    }
    switch ($parts[0]) {
        'HKLM' { $root = 'HKLM' }
        'HKCU' { $root = 'HKU\' + $script:SimMachine['identity']['Sid'] }
        'HKU' { $root = 'HKU' }
        default { throw ('unsupported registry hive in ' + $Path) }
    }
    if ($rest) {
        return $root + '\' + $rest
    }
    return $root
}

function Get-SimRegistryKeyData {
    param([string]$Key)
    $registry = $script:SimMachine['registry']
    foreach ($name in $registry.Keys) {
        if ($name -ieq $Key) {
            return $registry[$name]
        }
    }
    return $null
}

function ConvertTo-SimRegistryValue {
    # The .NET type RegistryKey.GetValue returns for each kind: DWORD is Int32 (0xFFFFFFFF reads as -1).
    param($Entry)
    $value = $Entry['value']
    switch ([string]$Entry['kind']) {
        'DWord' {
            $number = [long]$value
            if ($number -gt 2147483647) {
                $number -= 4294967296
            }
            return [int]$number
        }
        'QWord' { return [long]$value }
        'MultiString' { return [string[]]@($value) }
        'Binary' { return [byte[]]@(for ($i = 0; $i -lt ([string]$value).Length; $i += 2) { [Convert]::ToByte(([string]$value).Substring($i, 2), 16) }) }
        default { return [string]$value }
    }
}

function Test-SimRegistryParent {
    # A key with subkeys exists even when the machine data lists only the subkeys (as on Windows).
    param([string]$Key)
    $prefix = $Key + '\'
    foreach ($name in $script:SimMachine['registry'].Keys) {
        if ($name.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $true
        }
    }
    return $false
}

function New-SimRegistryKey {
    param([string]$Key, [bool]$Writable)
    $object = [pscustomobject]@{ SimKey = $Key; SimWritable = $Writable }
    $object | Add-Member -MemberType ScriptMethod -Name GetValue -Value {
        param($Name, $Default, $Options)
        $data = Get-SimRegistryKeyData -Key $this.SimKey
        if ($null -ne $data) {
            foreach ($valueName in $data['values'].Keys) {
                if ($valueName -ieq $Name) {
                    return (ConvertTo-SimRegistryValue -Entry $data['values'][$valueName])
                }
            }
        }
        return $Default
    }
    $object | Add-Member -MemberType ScriptMethod -Name GetValueNames -Value {
        $data = Get-SimRegistryKeyData -Key $this.SimKey
        if ($null -eq $data) {
            return [string[]]@()
        }
        return [string[]]@($data['values'].Keys)
    }
    $object | Add-Member -MemberType ScriptMethod -Name GetValueKind -Value {
        param($Name)
        $data = Get-SimRegistryKeyData -Key $this.SimKey
        foreach ($valueName in $data['values'].Keys) {
            if ($valueName -ieq $Name) {
                return [Microsoft.Win32.RegistryValueKind][string]$data['values'][$valueName]['kind']
            }
        }
        throw [System.IO.IOException]::new('value not found')
    }
    $object | Add-Member -MemberType ScriptMethod -Name GetSubKeyNames -Value {
        $prefix = $this.SimKey + '\'
        $names = @{}
        foreach ($name in $script:SimMachine['registry'].Keys) {
            if ($name.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)) {
                $names[($name.Substring($prefix.Length) -split '\\')[0]] = $true
            }
        }
        return [string[]]@($names.Keys)
    }
    $object | Add-Member -MemberType ScriptMethod -Name SetValue -Value {
        param($Name, $Value, $Kind)
        if (-not $this.SimWritable) {
            throw [System.UnauthorizedAccessException]::new('Cannot write to the registry key.')
        }
        Invoke-SimFault -Operation 'registry.write' -Target ($this.SimKey + '\' + $Name)
        $data = Get-SimRegistryKeyData -Key $this.SimKey
        $stored = $Value
        $kindName = [string]$Kind
        if ($kindName -eq 'DWord') {
            $stored = [long]$Value
            if ($stored -lt 0) {
                $stored += 4294967296
            }
        }
        foreach ($valueName in @($data['values'].Keys)) {
            if ($valueName -ieq $Name) {
                $data['values'].Remove($valueName)
            }
        }
        $data['values'][$Name] = [ordered]@{ kind = $kindName; value = $stored }
        Add-SimJournal -Text ('registry.set ' + $this.SimKey + '\' + $Name + '=' + $stored)
    }
    $object | Add-Member -MemberType ScriptMethod -Name DeleteValue -Value {
        param($Name, $ThrowOnMissing)
        if (-not $this.SimWritable) {
            throw [System.UnauthorizedAccessException]::new('Cannot write to the registry key.')
        }
        Invoke-SimFault -Operation 'registry.write' -Target ($this.SimKey + '\' + $Name)
        $data = Get-SimRegistryKeyData -Key $this.SimKey
        foreach ($valueName in @($data['values'].Keys)) {
            if ($valueName -ieq $Name) {
                $data['values'].Remove($valueName)
                Add-SimJournal -Text ('registry.delete ' + $this.SimKey + '\' + $Name)
            }
        }
    }
    $object | Add-Member -MemberType ScriptMethod -Name DeleteSubKey -Value {
        # RegistryKey.DeleteSubKey(name, throwOnMissing): refuses a key that still has subkeys, as Windows does.
        param($Name, $ThrowOnMissing)
        if (-not $this.SimWritable) {
            throw [System.UnauthorizedAccessException]::new('Cannot write to the registry key.')
        }
        $child = $this.SimKey + '\' + $Name
        Invoke-SimFault -Operation 'registry.write' -Target $child
        foreach ($name in @($script:SimMachine['registry'].Keys)) {
            if ($name.StartsWith($child + '\', [System.StringComparison]::OrdinalIgnoreCase)) {
                throw [System.InvalidOperationException]::new('Registry key has subkeys and recursive removes are not supported by this method.')
            }
        }
        foreach ($name in @($script:SimMachine['registry'].Keys)) {
            if ($name -ieq $child) {
                $script:SimMachine['registry'].Remove($name)
                Add-SimJournal -Text ('registry.deletekey ' + $name)
            }
        }
    }
    $object | Add-Member -MemberType ScriptMethod -Name Close -Value { }
    return $object
}

function Open-RmRegistryKey {
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [switch]$Writable,
        [switch]$Create
    )
    $key = ConvertTo-SimRegistryPath -Path $Path
    Invoke-SimFault -Operation 'registry.open' -Target $key
    if ($null -eq (Get-SimRegistryKeyData -Key $key) -and (Test-SimRegistryParent -Key $key)) {
        $script:SimMachine['registry'][$key] = [ordered]@{ values = [ordered]@{} }
    }
    if ($null -eq (Get-SimRegistryKeyData -Key $key)) {
        if (-not $Create) {
            return $null
        }
        Invoke-SimFault -Operation 'registry.write' -Target $key
        $script:SimMachine['registry'][$key] = [ordered]@{ values = [ordered]@{} }
        Add-SimJournal -Text ('registry.create ' + $key)
    }
    return (New-SimRegistryKey -Key $key -Writable ([bool]($Writable -or $Create)))
}

function Get-RmOsIdentity {
    $identity = $script:SimMachine['identity']
    return [ordered]@{
        Sid = [string]$identity['Sid']
        Groups = @($identity['Groups'])
        IsAdmin = [bool]$identity['IsAdmin']
        SessionId = [int]$identity['SessionId']
    }
}

function Get-RmOsTime {
    return $script:SimNow
}

function Get-RmOsEvent {
    param(
        [Parameter(Mandatory = $true)][string]$LogName,
        [int[]]$Id = @(),
        [string]$ProviderName = '',
        [Parameter(Mandatory = $true)][DateTime]$Since,
        [Parameter(Mandatory = $true)][int]$MaxEvents
    )
    Invoke-SimFault -Operation 'events' -Target $LogName
    $logs = $script:SimMachine['events']
    if (-not $logs.ContainsKey($LogName)) {
        return [ordered]@{ Status = 'missing'; Records = @() }
    }
    $records = New-Object System.Collections.Generic.List[object]
    # Get-WinEvent reads newest first, so -MaxEvents keeps the newest.
    foreach ($event in @($logs[$LogName] | Sort-Object -Property { $_['Time'] } -Descending)) {
        $time = ConvertFrom-SimTime -Text $event['Time']
        if ($time -lt $Since.ToUniversalTime()) { continue }
        if ($Id.Count -gt 0 -and $Id -notcontains [int]$event['Id']) { continue }
        if ($ProviderName -and [string]$event['Provider'] -ne $ProviderName) { continue }
        $records.Add([ordered]@{
                Id = [int]$event['Id']
                Time = $time
                UserSid = [string]$event['UserSid']
                Provider = [string]$event['Provider']
                Data = @($event['Data'] | ForEach-Object { [string]$_ })
            })
        if ($records.Count -ge $MaxEvents) { break }
    }
    return [ordered]@{ Status = 'ok'; Records = $records.ToArray() }
}

function Get-RmOsService {
    param([Parameter(Mandatory = $true)][string]$Name)
    $services = $script:SimMachine['services']
    if (-not $services.ContainsKey($Name)) {
        return [ordered]@{ Exists = $false; Status = ''; StartType = '' }
    }
    return [ordered]@{ Exists = $true; Status = [string]$services[$Name]['Status']; StartType = [string]$services[$Name]['StartType'] }
}

function Start-RmOsService {
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [int]$TimeoutSeconds = 20
    )
    Invoke-SimFault -Operation 'service.start' -Target $Name
    $services = $script:SimMachine['services']
    if (-not $services.ContainsKey($Name)) {
        throw ("Cannot find any service with service name '" + $Name + "'.")
    }
    $services[$Name]['Status'] = 'Running'
    Add-SimJournal -Text ('service.start ' + $Name)
}

function Get-RmOsScheduledTask {
    param(
        [Parameter(Mandatory = $true)][string]$TaskPath,
        [Parameter(Mandatory = $true)][string]$TaskName
    )
    $tasks = $script:SimMachine['tasks']
    $key = $TaskPath + $TaskName
    if (-not $tasks.ContainsKey($key)) {
        return [ordered]@{ Exists = $false; State = '' }
    }
    return [ordered]@{ Exists = $true; State = [string]$tasks[$key]['State'] }
}

function Set-RmOsScheduledTask {
    param(
        [Parameter(Mandatory = $true)][string]$TaskPath,
        [Parameter(Mandatory = $true)][string]$TaskName,
        [Parameter(Mandatory = $true)][ValidateSet('Enable', 'Start')][string]$Action
    )
    $key = $TaskPath + $TaskName
    Invoke-SimFault -Operation ('task.' + $Action.ToLowerInvariant()) -Target $key
    $tasks = $script:SimMachine['tasks']
    if (-not $tasks.ContainsKey($key)) {
        throw ('The system cannot find the file specified: ' + $key)
    }
    if ($Action -eq 'Enable') {
        $tasks[$key]['State'] = 'Ready'
    }
    else {
        $tasks[$key]['Runs'] = 1 + [int]$tasks[$key]['Runs']
    }
    Add-SimJournal -Text ('task.' + $Action.ToLowerInvariant() + ' ' + $key)
}

function Get-RmOsAppxPackage {
    param([Parameter(Mandatory = $true)][string]$Name)
    Invoke-SimFault -Operation 'appx.get' -Target $Name
    $appx = $script:SimMachine['appx']
    if (-not $appx.ContainsKey($Name)) {
        return @()
    }
    return @($appx[$Name] | ForEach-Object { [ordered]@{ Name = $Name; Version = [string]$_['Version']; Status = [string]$_['Status'] } })
}

function Register-RmOsAppxPackage {
    param([Parameter(Mandatory = $true)][string]$Manifest)
    Invoke-SimFault -Operation 'appx.register' -Target (Split-Path -Leaf (Split-Path -Parent $Manifest))
    $folder = Split-Path -Leaf (Split-Path -Parent $Manifest)
    $name = ($folder -split '_')[0]
    $script:SimMachine['appx'][$name] = @([ordered]@{ Version = '1000.0.0.0'; Status = 'Ok' })
    # -ForceApplicationShutdown closes the user's apps that use the package.
    $script:SimMachine['processes'] = @($script:SimMachine['processes'] | Where-Object { -not $_['UsesBroker'] })
    Add-SimJournal -Text ('appx.register ' + $folder)
}

function Get-RmOsProcess {
    param([Parameter(Mandatory = $true)][string]$Name)
    return @($script:SimMachine['processes'] | Where-Object { $_['Name'] -ieq $Name } | ForEach-Object {
            [ordered]@{ Id = [int]$_['Id']; Name = [string]$_['Name']; SessionId = [int]$_['SessionId'] }
        })
}

function Stop-RmOsProcess {
    param(
        [Parameter(Mandatory = $true)][int[]]$Id,
        [Parameter(Mandatory = $true)][int]$WaitSeconds
    )
    $kept = New-Object System.Collections.Generic.List[object]
    $left = New-Object System.Collections.Generic.List[int]
    foreach ($process in @($script:SimMachine['processes'])) {
        if ($Id -contains [int]$process['Id']) {
            if ($process['Unkillable']) {
                $kept.Add($process)
                $left.Add([int]$process['Id'])
                continue
            }
            Add-SimJournal -Text ('process.stop ' + $process['Name'] + ' ' + $process['Id'])
            continue
        }
        $kept.Add($process)
    }
    $script:SimMachine['processes'] = $kept.ToArray()
    Save-SimMachine
    return $left.ToArray()
}

function Show-RmOsNotification {
    # A notification in the user's session: journaled; a 'notify' fault means it could not be shown.
    param(
        [Parameter(Mandatory = $true)][string]$Title,
        [Parameter(Mandatory = $true)][string]$Text
    )
    if ($script:SimMachine['faults'].ContainsKey('notify')) {
        return $false
    }
    Add-SimJournal -Text ('notify ' + $Title + ': ' + $Text)
    return $true
}

function Start-RmOsProcess {
    # Starts a program: journaled; the apps the machine knows come up as processes in the user's session.
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string]$Arguments = ''
    )
    Invoke-SimFault -Operation 'process.start' -Target (Split-Path -Leaf $FilePath)
    $apps = @{ 'MSTeams_8wekyb3d8bbwe!MSTeams' = 'ms-teams'; 'Teams.exe' = 'Teams' }
    foreach ($key in $apps.Keys) {
        if (($FilePath + ' ' + $Arguments).Contains($key)) {
            $id = 5000 + @($script:SimMachine['processes']).Count
            $script:SimMachine['processes'] = @($script:SimMachine['processes']) + @([ordered]@{ Id = $id; Name = $apps[$key]; SessionId = [int]$script:SimMachine['identity']['SessionId'] })
        }
    }
    Add-SimJournal -Text ('process.start ' + (Split-Path -Leaf $FilePath) + ' ' + $Arguments)
}

function Move-RmOsItem {
    # A real move under the machine root, unless a running process holds the path (its 'Holds' fragments).
    # A holder whose 'Host' process is gone (a WebView2 child after ms-teams exits) lets go after 'Linger'
    # more attempts; a holder with a running host, or no host, never does.
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Destination
    )
    Invoke-SimFault -Operation 'move' -Target (Split-Path -Leaf $Path)
    $normal = $Path.Replace('\', '/')
    foreach ($process in @($script:SimMachine['processes'])) {
        $held = @($process['Holds'] | Where-Object { $_ -and $normal -like ('*' + $_ + '*') })
        if ($held.Count -eq 0) {
            continue
        }
        $hostName = [string]$process['Host']
        $orphan = $hostName -and @($script:SimMachine['processes'] | Where-Object { $_['Name'] -ieq $hostName -and $_['SessionId'] -eq $process['SessionId'] }).Count -eq 0
        if ($orphan -and [int]$process['Linger'] -le 0) {
            $script:SimMachine['processes'] = @($script:SimMachine['processes'] | Where-Object { $_['Id'] -ne $process['Id'] })
            Add-SimJournal -Text ('process.exit ' + $process['Name'] + ' ' + $process['Id'])
            continue
        }
        if ($orphan) {
            $process['Linger'] = [int]$process['Linger'] - 1
            Save-SimMachine
        }
        throw [System.IO.IOException]::new('The process cannot access the file because it is being used by another process.')
    }
    Move-Item -LiteralPath $Path -Destination $Destination -Force
    Add-SimJournal -Text ('move ' + (Split-Path -Leaf $Path))
}

function Get-RmOsNetwork {
    param([Parameter(Mandatory = $true)][string]$Prefix)
    $network = $script:SimMachine['network']
    $metrics = $null
    if ($null -ne $network['Metrics']) {
        $metrics = @{}
        foreach ($key in $network['Metrics'].Keys) {
            $metrics[[int]$key] = [int]$network['Metrics'][$key]
        }
    }
    return [ordered]@{ Vpn = $network['Vpn']; Adapters = $network['Adapters']; Metrics = $metrics; Routes = $network['Routes'] }
}

function Clear-RmOsDnsCache {
    Invoke-SimFault -Operation 'dns.flush' -Target ''
    # A stale negative cache entry is what a flush cures, for good (later runs resolve the name too).
    foreach ($endpoint in @($script:SimMachine['endpoints'].Values)) {
        if ($endpoint['FlushCures']) {
            $endpoint['Error'] = ''
        }
    }
    Add-SimJournal -Text 'dns.flush'
}

function Test-RmOsEndpoint {
    param(
        [Parameter(Mandatory = $true)][string[]]$Name,
        [Parameter(Mandatory = $true)][int]$Port,
        [Parameter(Mandatory = $true)][int]$DnsTimeoutMs,
        [Parameter(Mandatory = $true)][int]$TcpTimeoutMs,
        [Parameter(Mandatory = $true)][int]$TlsTimeoutMs
    )
    $endpoints = $script:SimMachine['endpoints']
    return @($Name | ForEach-Object {
            $probe = [ordered]@{ Name = $_; Error = ''; Issuer = 'CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US' }
            if ($endpoints.ContainsKey($_)) {
                $probe.Error = [string]$endpoints[$_]['Error']
                if ($endpoints[$_].ContainsKey('Issuer')) {
                    $probe.Issuer = [string]$endpoints[$_]['Issuer']
                }
            }
            $probe
        })
}

function Get-RmOsHttpDate {
    param(
        [Parameter(Mandatory = $true)][string]$Uri,
        [Parameter(Mandatory = $true)][int]$TimeoutMs
    )
    $http = $script:SimMachine['http_date']
    if ($http['Problem']) {
        return [ordered]@{ Date = $null; Problem = [string]$http['Problem'] }
    }
    # The server's clock is the true time: the simulated clock plus the machine's clock error.
    return [ordered]@{ Date = $script:SimNow.AddSeconds(-[double]$script:SimMachine['clock_error_s']); Problem = '' }
}

function Set-RmOsAcl {
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [string]$ReaderSid = ''
    )
    Invoke-SimFault -Operation 'acl' -Target $Path
    $script:SimMachine['acl'][$Path] = [ordered]@{ protected = $true; reader = $ReaderSid }
    Save-SimMachine
}

function Get-RmOsFolderTrust {
    # Folders our runtime protected are SYSTEM's; any other existing folder is as ProgramData leaves it to the
    # user who created it, unless the machine says otherwise ('folder_trust' by path relative to the root).
    param([Parameter(Mandatory = $true)][string]$Path)
    if ($script:SimMachine['acl'].ContainsKey($Path)) {
        return [ordered]@{ Owner = 'S-1-5-18'; Writers = @('S-1-5-18', 'S-1-5-32-544') }
    }
    $trust = $script:SimMachine['folder_trust']
    if ($null -ne $trust) {
        foreach ($key in $trust.Keys) {
            if ($Path.Replace('\', '/').EndsWith($key)) {
                return [ordered]@{ Owner = [string]$trust[$key]['Owner']; Writers = @($trust[$key]['Writers']) }
            }
        }
    }
    return [ordered]@{ Owner = 'S-1-5-21-9-9-9-1001'; Writers = @('S-1-5-18', 'S-1-5-32-544', 'S-1-5-21-9-9-9-1001') }
}

function Enter-RmMutex {
    # The real one, but each simulated machine is a computer of its own: its Global\ name gets the machine's
    # folder, so that test runs of other machines on this host (parallel sessions) never hold it.
    param([Parameter(Mandatory = $true)][string]$Name)
    $machine = [System.IO.Path]::GetDirectoryName([System.IO.Path]::GetDirectoryName($env:SIMWIN_STATE)) -replace '[^A-Za-z0-9]', '_'
    if ($machine.Length -gt 120) {
        $machine = $machine.Substring($machine.Length - 120)
    }
    $mutex = New-Object System.Threading.Mutex($false, ($Name + '-' + $machine))
    $acquired = $false
    try {
        $acquired = $mutex.WaitOne(0)
    }
    catch [System.Threading.AbandonedMutexException] {
        $acquired = $true
    }
    if (-not $acquired) {
        $mutex.Dispose()
        return $null
    }
    return $mutex
}

function Invoke-RmNative {
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string]$Arguments = '',
        [int]$TimeoutSeconds = 10
    )
    $program = (Split-Path -Leaf $FilePath).ToLowerInvariant()
    $outcome = [ordered]@{ ExitCode = -1; Output = ''; Error = ''; TimedOut = $false; Started = $false }
    Add-SimJournal -Text ('native ' + $program + ' ' + $Arguments)
    foreach ($rule in @($script:SimMachine['native'])) {
        if ($rule['program'] -ne $program -or $Arguments -notmatch $rule['args']) {
            continue
        }
        $outcome.Started = $true
        if ([double]$rule['seconds'] -gt $TimeoutSeconds) {
            $outcome.TimedOut = $true
            return $outcome
        }
        $outcome.ExitCode = [int]$rule['exit']
        $outcome.Output = Expand-SimClockTokens -Text ([string]$rule['stdout'])
        $outcome.Error = [string]$rule['stderr']
        if ($rule.ContainsKey('then')) {
            Invoke-SimEffect -Effect $rule['then']
        }
        return $outcome
    }
    $outcome.Error = 'The system cannot find the file specified'
    return $outcome
}

function Expand-SimClockTokens {
    # '{{now-5h}}' in a native output is the simulated time 5 hours ago as dsregcmd prints it, so that a value
    # a real device keeps fresh (the PRT renews about every 4 h) stays fresh over simulated days.
    param([string]$Text)
    return [regex]::Replace($Text, '\{\{now-([0-9.]+)h\}\}', {
            param($m)
            $script:SimNow.AddHours(-[double]$m.Groups[1].Value).ToString('yyyy-MM-dd HH:mm:ss.fff', [System.Globalization.CultureInfo]::InvariantCulture)
        })
}

function Export-RmOsEventLog {
    # wevtutil epl stand-in: the machine's events of that log (and provider, for a query) as a JSON file.
    param(
        [Parameter(Mandatory = $true)][string]$LogName,
        [Parameter(Mandatory = $true)][string]$Path,
        [string]$Query = ''
    )
    Add-SimJournal -Text ('eventlog.export ' + $LogName)
    Invoke-SimFault -Operation 'eventlog.export' -Target $LogName
    $events = @()
    if ($script:SimMachine['events'].ContainsKey($LogName)) {
        $events = @($script:SimMachine['events'][$LogName])
    }
    if ($Query -match "@Name='([^']+)'") {
        $provider = $Matches[1]
        $events = @($events | Where-Object { $_['Provider'] -eq $provider })
    }
    [System.IO.File]::WriteAllText($Path, (ConvertTo-Json -InputObject @($events) -Depth 5 -Compress))
    return $true
}

function Invoke-SimEffect {
    # What a native command changes on the machine, e.g. w32tm /resync corrects the clock.
    param($Effect)
    foreach ($name in $Effect.Keys) {
        $script:SimMachine[$name] = $Effect[$name]
    }
    Save-SimMachine
}

function ConvertFrom-SimTime {
    # ConvertFrom-Json already turns ISO 8601 strings into DateTime values; plain strings are parsed here.
    param($Text)
    if ($Text -is [DateTime]) {
        return $Text.ToUniversalTime()
    }
    return [DateTime]::ParseExact($Text, 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal')
}

# ---- prelude: load the machine ----
$script:SimMachine = [System.IO.File]::ReadAllText($env:SIMWIN_STATE) | ConvertFrom-Json -AsHashtable
$script:SimMachine['journal'] = @()
$script:SimNow = ConvertFrom-SimTime -Text $script:SimMachine['clock']
