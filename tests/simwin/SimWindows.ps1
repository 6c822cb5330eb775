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
    foreach ($event in $logs[$LogName]) {
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
    param([Parameter(Mandatory = $true)][string]$Name)
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
    $flushed = @($script:SimMachine['journal'] | Where-Object { $_ -eq 'dns.flush' }).Count -gt 0
    return @($Name | ForEach-Object {
            $probe = [ordered]@{ Name = $_; Error = ''; Issuer = 'CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US' }
            if ($endpoints.ContainsKey($_)) {
                $probe.Error = [string]$endpoints[$_]['Error']
                if ($endpoints[$_].ContainsKey('Issuer')) {
                    $probe.Issuer = [string]$endpoints[$_]['Issuer']
                }
                # A stale negative cache entry is what a flush cures.
                if ($flushed -and $endpoints[$_]['FlushCures']) {
                    $probe.Error = ''
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
        $outcome.Output = [string]$rule['stdout']
        $outcome.Error = [string]$rule['stderr']
        if ($rule.ContainsKey('then')) {
            Invoke-SimEffect -Effect $rule['then']
        }
        return $outcome
    }
    $outcome.Error = 'The system cannot find the file specified'
    return $outcome
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
