# generated from packaging/caa20002-device.toml by remediate 0.1.0; do not edit
# input-sha256: 1e961dcca13f20f2b676698d974428a7e6ffe844383228cec30c0cd8e6802a23
#
# CAA20002 sign-in failure - device checks - collect script
# Runs as: system (64-bit PowerShell). Deliver it like the remediation (Intune, an RMM tool) or
# run it with `remediate collect`, which brings the bundle back. Writes a support bundle (docs/collect.md lists
# its files) to remediate\collect\bundle-caa20002-device.zip under the package's data folder; changes nothing else.
# Tokens, passwords, cookies, TokenBroker files and credentials are never collected.
# Contract: the last output line is one JSON result (ASCII, <= 2,048 characters); exit 0 = bundle written.
# Nothing is ever written to stderr.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$ProgressPreference = 'SilentlyContinue'

# ---- settings (rendered from the package; the dry-run switch can also be set with REMEDIATE_DRY_RUN=1) ----
$RmConfig = [ordered]@{
    'Tool' = '0.1.0'
    'Package' = 'caa20002-device'
    'Phase' = 'collect'
    'RunAs' = 'system'
    'DryRun' = $false
    'MutexName' = 'Global\remediate-caa20002-device'
    'MaxAttempts' = 3
    'CooldownMinutes' = 60
    'CooldownMaxHours' = 24
    'FailureExpiryDays' = 7
    'QuarantineRetentionDays' = 14
    'LogMaxKb' = 1024
}
if ($env:REMEDIATE_DRY_RUN -eq '1') {
    $RmConfig.DryRun = $true
}
$RmSchema = [ordered]@{
    'Version' = 1
    'MaxChars' = 2048
    'States' = @(
        'pass',
        'fail',
        'fixed',
        'failed',
        'deferred',
        'advisory',
        'error',
        'skipped'
    )
    'OpenReasons' = @(
        'advisory_only',
        'backoff',
        'dry_run',
        'needs_attention',
        'not_enabled'
    )
    'ExitCodes' = [ordered]@{
        'detect:compliant' = 0
        'detect:non_compliant' = 1
        'detect:remediated' = 0
        'detect:failed' = 1
        'detect:deferred' = 1
        'detect:skipped' = 0
        'detect:error' = 1
        'remediate:compliant' = 0
        'remediate:non_compliant' = 0
        'remediate:remediated' = 0
        'remediate:failed' = 1
        'remediate:deferred' = 0
        'remediate:skipped' = 0
        'remediate:error' = 1
        'undo:compliant' = 0
        'undo:non_compliant' = 0
        'undo:remediated' = 0
        'undo:failed' = 1
        'undo:deferred' = 0
        'undo:skipped' = 0
        'undo:error' = 1
        'collect:compliant' = 0
        'collect:non_compliant' = 0
        'collect:remediated' = 0
        'collect:failed' = 1
        'collect:deferred' = 0
        'collect:skipped' = 0
        'collect:error' = 1
    }
}
$RmOutput = [ordered]@{
    'Profile' = 'intune'
    'PhaseExit' = $true
    'HostExit' = $false
}
$RmTask = [ordered]@{
    'MaxItemBytes' = 4194304
    'MaxBundleBytes' = 25165824
    'Registry' = @(
        [ordered]@{
            'Entry' = 'proxy-wininet.txt'
            'Paths' = @(
                'HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings',
                'HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings'
            )
            'Names' = @(
                'ProxyEnable',
                'ProxyServer',
                'ProxyOverride',
                'AutoConfigURL',
                'AutoDetect',
                'ProxySettingsPerUser'
            )
        },
        [ordered]@{
            'Entry' = 'tls-registry.txt'
            'Paths' = @(
                'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.0\Client',
                'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.0\Server',
                'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.1\Client',
                'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.1\Server',
                'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client',
                'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Server',
                'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.3\Client',
                'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.3\Server',
                'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp',
                'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp',
                'HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319',
                'HKLM:\SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319',
                'HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings',
                'HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings'
            )
            'Names' = @(
                'Enabled',
                'DisabledByDefault',
                'DefaultSecureProtocols',
                'SchUseStrongCrypto',
                'SystemDefaultTlsVersions',
                'SecureProtocols'
            )
        }
    )
    'EventLogs' = @(
        [ordered]@{
            'Entry' = 'events/aad-operational.evtx'
            'Log' = 'Microsoft-Windows-AAD/Operational'
            'Query' = ''
        },
        [ordered]@{
            'Entry' = 'events/user-device-registration.evtx'
            'Log' = 'Microsoft-Windows-User Device Registration/Admin'
            'Query' = ''
        },
        [ordered]@{
            'Entry' = 'events/appmodel-state.evtx'
            'Log' = 'Application'
            'Query' = '*[System[Provider[@Name=''Microsoft-Windows-AppModel-State'']]]'
        }
    )
    'Teams' = @(
        [ordered]@{
            'Base' = 'LOCALAPPDATA'
            'Path' = 'Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\Logs'
            'Filter' = 'MSTeams_*.log'
        },
        [ordered]@{
            'Base' = 'APPDATA'
            'Path' = 'Microsoft\Teams'
            'Filter' = 'logs.txt'
        }
    )
}

# ---- runtime (remediate/powershell/runtime, inlined) ----
function Add-RmBundleEntry {
    <#
    .SYNOPSIS
    Adds one item to the support bundle: text (redacted, UTF-8) or a file (an .evtx as it is, a text file
    redacted), within the item and bundle size caps; returns the bytes added (0 when left out).
    #>
    param(
        [Parameter(Mandatory = $true)][object]$Archive,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Budget,
        [AllowEmptyString()][string]$Text = '',
        [string]$File = ''
    )
    $bytes = $null
    if ($File -and $File.EndsWith('.evtx', [System.StringComparison]::OrdinalIgnoreCase)) {
        $bytes = [System.IO.File]::ReadAllBytes($File)
        if ($bytes.Length -gt $RmTask.MaxItemBytes) {
            $bytes = $null
        }
    }
    else {
        if ($File) {
            $Text = [System.IO.File]::ReadAllText($File)
        }
        if ($Text.Length -gt $RmTask.MaxItemBytes) {
            $Text = $Text.Substring($Text.Length - $RmTask.MaxItemBytes)
        }
        $bytes = (New-Object System.Text.UTF8Encoding($false)).GetBytes((ConvertTo-RmRedactedText -Text $Text))
    }
    if ($null -eq $bytes -or $bytes.Length -gt ($RmTask.MaxBundleBytes - $Budget.used)) {
        $Budget.omitted.Add($Name)
        return 0
    }
    $stream = $Archive.CreateEntry($Name).Open()
    try {
        $stream.Write($bytes, 0, $bytes.Length)
    }
    finally {
        $stream.Dispose()
    }
    $Budget.used += $bytes.Length
    $Budget.files.Add($Name)
    return $bytes.Length
}

function Add-RmBundleOwnFile {
    <#
    .SYNOPSIS
    The tool's own files for the support bundle: state, log (and its rolled-over part), registry backups and
    quarantine manifests. The quarantined items themselves (token files) are never read.
    #>
    param(
        [Parameter(Mandatory = $true)][object]$Archive,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Budget
    )
    $root = Get-RmDataRoot
    $own = [ordered]@{ 'remediate/state.txt' = (Get-RmStatePath); 'remediate/log.txt' = (Get-RmLogPath); 'remediate/log.1.txt' = ((Get-RmLogPath) + '.1') }
    foreach ($name in $own.Keys) {
        if ([System.IO.File]::Exists($own[$name])) {
            $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name $name -File $own[$name]
        }
    }
    $backup = Join-Path $root 'backup'
    if (Test-Path -LiteralPath $backup -PathType Container) {
        foreach ($file in @(Get-ChildItem -LiteralPath $backup -File | Where-Object { $_.Name -like '*.tsv*' } | Sort-Object -Property Name)) {
            $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name ('remediate/backup/' + $file.Name) -File $file.FullName
        }
    }
    $quarantine = Join-Path $root 'quarantine'
    if (Test-Path -LiteralPath $quarantine -PathType Container) {
        foreach ($set in @(Get-ChildItem -LiteralPath $quarantine -Directory | Sort-Object -Property Name)) {
            foreach ($name in @('manifest.tsv', 'manifest.undone.tsv')) {
                $manifest = Join-Path $set.FullName $name
                if ([System.IO.File]::Exists($manifest)) {
                    $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name ('remediate/quarantine/' + $set.Name + '/' + $name) -File $manifest
                }
            }
        }
    }
}

function Add-RmBundleSource {
    <#
    .SYNOPSIS
    Puts the support bundle's fixed list of items into the archive (docs/collect.md lists them).
    #>
    param(
        [Parameter(Mandatory = $true)][object]$Archive,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Budget,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context
    )
    $system32 = Join-Path $env:windir 'System32'
    $dsreg = Invoke-RmNative -FilePath (Join-Path $system32 'dsregcmd.exe') -Arguments '/status' -TimeoutSeconds 30
    $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name 'dsregcmd-status.txt' -Text ([string]$dsreg.Output)
    $winhttp = Invoke-RmNative -FilePath (Join-Path $system32 'netsh.exe') -Arguments 'winhttp show proxy' -TimeoutSeconds 30
    $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name 'proxy-winhttp.txt' -Text ([string]$winhttp.Output)
    foreach ($item in $RmTask.Registry) {
        $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name $item.Entry -Text (Get-RmRegistryReport -Path $item.Paths -Name $item.Names)
    }
    if ($Context.IsAdmin) {
        $temp = Join-Path (Get-RmDataRoot) 'collect\export.evtx'
        foreach ($log in $RmTask.EventLogs) {
            if (Export-RmOsEventLog -LogName $log.Log -Path $temp -Query $log.Query) {
                $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name $log.Entry -File $temp
            }
            else {
                $Budget.omitted.Add($log.Entry)
            }
        }
        if ([System.IO.File]::Exists($temp)) {
            # Our own temporary export, not user data: File.Delete, not the quarantine path.
            [System.IO.File]::Delete($temp)
        }
    }
    # Teams logs only from the user package, in the user's own session: SYSTEM never reads user profiles.
    $teams = @()
    if ($RmConfig.RunAs -eq 'user') {
        $teams = @($RmTask.Teams)
    }
    foreach ($source in $teams) {
        $folder = Join-Path ([Environment]::GetEnvironmentVariable($source.Base)) $source.Path
        if (Test-Path -LiteralPath $folder -PathType Container) {
            $logs = @(Get-ChildItem -LiteralPath $folder -File -Filter $source.Filter | Sort-Object -Property LastWriteTimeUtc -Descending | Select-Object -First 3)
            foreach ($file in $logs) {
                $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name ('teams/' + $file.Name) -File $file.FullName
            }
        }
    }
    Add-RmBundleOwnFile -Archive $Archive -Budget $Budget
}

function ConvertTo-RmJson {
    <#
    .SYNOPSIS
    Serialises hashtables, arrays, strings, numbers, booleans and $null as compact JSON.
    #>
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) {
        return 'null'
    }
    if ($Value -is [bool]) {
        if ($Value) { return 'true' }
        return 'false'
    }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [uint32] -or $Value -is [double] -or $Value -is [decimal]) {
        return [string]::Format([System.Globalization.CultureInfo]::InvariantCulture, '{0}', $Value)
    }
    if ($Value -is [string] -or $Value -is [char] -or $Value -is [datetime] -or $Value -is [enum]) {
        if ($Value -is [datetime]) {
            return ConvertTo-RmJsonString -Text (Get-RmStamp -Time $Value)
        }
        return ConvertTo-RmJsonString -Text ([string]$Value)
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $keys = @($Value.Keys)
        if (-not ($Value -is [System.Collections.Specialized.OrderedDictionary])) {
            $keys = @($keys | Sort-Object)
        }
        $parts = New-Object System.Collections.Generic.List[string]
        foreach ($key in $keys) {
            $parts.Add((ConvertTo-RmJsonString -Text ([string]$key)) + ':' + (ConvertTo-RmJson -Value $Value[$key]))
        }
        return '{' + ($parts -join ',') + '}'
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $parts = New-Object System.Collections.Generic.List[string]
        foreach ($item in $Value) {
            $parts.Add((ConvertTo-RmJson -Value $item))
        }
        return '[' + ($parts -join ',') + ']'
    }
    return ConvertTo-RmJsonString -Text ([string]$Value)
}

function ConvertTo-RmJsonString {
    <#
    .SYNOPSIS
    Quotes a string as a JSON string made of printable ASCII only.
    #>
    param([AllowEmptyString()][string]$Text)
    $sb = New-Object System.Text.StringBuilder
    $null = $sb.Append('"')
    foreach ($ch in $Text.ToCharArray()) {
        $code = [int]$ch
        if ($ch -eq '"') {
            $null = $sb.Append('\"')
        }
        elseif ($ch -eq '\') {
            $null = $sb.Append('\\')
        }
        elseif ($code -lt 0x20 -or $code -gt 0x7E) {
            $null = $sb.Append(('\u{0:x4}' -f $code))
        }
        else {
            $null = $sb.Append($ch)
        }
    }
    $null = $sb.Append('"')
    return $sb.ToString()
}

function ConvertTo-RmRedactedText {
    <#
    .SYNOPSIS
    Text for the support bundle with anything that looks like a secret replaced by '<redacted>'.
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text)
    $text = [regex]::Replace($Text, 'eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}(\.[A-Za-z0-9_\-]*)?', '<redacted>')
    $text = [regex]::Replace($text, '(://[^/\s:@]+:)[^@\s/]+@', '$1<redacted>@')
    $text = [regex]::Replace($text, '(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}', '$1 <redacted>')
    $keys = '(?i)\b((?:access_|refresh_|id_)?token|password|passwd|pwd|secret|client_secret|cookie|set-cookie|authorization|skypetoken|x-ms-[a-z-]*token)\b(\s*["'']?\s*[:=]\s*)("[^"]*"|''[^'']*''|[^\s,;&]+)'
    return [regex]::Replace($text, $keys, '$1$2<redacted>')
}

function Export-RmOsEventLog {
    <#
    .SYNOPSIS
    OS seam: exports an event log (optionally filtered by an XPath query) to an .evtx file with wevtutil epl.
    Returns whether the file was written.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$LogName,
        [Parameter(Mandatory = $true)][string]$Path,
        [string]$Query = ''
    )
    $arguments = 'epl "' + $LogName + '" "' + $Path + '" /ow:true'
    if ($Query) {
        $arguments += ' "/q:' + $Query + '"'
    }
    $outcome = Invoke-RmNative -FilePath (Join-Path $env:windir 'System32\wevtutil.exe') -Arguments $arguments -TimeoutSeconds 60
    return ($outcome.ExitCode -eq 0 -and [System.IO.File]::Exists($Path))
}

function Format-RmResultLine {
    <#
    .SYNOPSIS
    The result as one compact JSON line of at most MaxChars (2,048) characters, shrunk step by step.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result)
    $line = ConvertTo-RmJson -Value $Result
    $step = 0
    while ($line.Length -gt $RmSchema.MaxChars) {
        $step += 1
        $smaller = Get-RmShrunkResult -Result $Result -Step $step
        if ($null -eq $smaller) {
            return (Get-RmMinimalResultLine -Result $Result)
        }
        $line = ConvertTo-RmJson -Value $smaller
    }
    return $line
}

function Get-RmContext {
    <#
    .SYNOPSIS
    Who and where this script runs: SYSTEM, an administrator, an interactive user; bitness; computer name.
    #>
    $identity = Get-RmOsIdentity
    $isSystem = ($identity.Sid -eq 'S-1-5-18')
    $account = 'other'
    if ($isSystem) {
        $account = 'system'
    }
    elseif ($identity.Groups -contains 'S-1-5-4') {
        $account = 'user'
    }
    return [ordered]@{
        Account = $account
        Sid = $identity.Sid
        IsSystem = $isSystem
        IsAdmin = [bool]$identity.IsAdmin
        IsInteractive = ($identity.Groups -contains 'S-1-5-4') -and -not $isSystem
        SessionId = $identity.SessionId
        Is64BitProcess = [Environment]::Is64BitProcess
        Is64BitOs = [Environment]::Is64BitOperatingSystem
        Computer = $env:COMPUTERNAME
    }
}

function Get-RmDataRoot {
    <#
    .SYNOPSIS
    The folder for state, backups and quarantine: ProgramData for SYSTEM, LOCALAPPDATA for a user.
    #>
    if ($RmConfig.RunAs -eq 'system') {
        return (Join-Path $env:ProgramData 'remediate')
    }
    return (Join-Path $env:LOCALAPPDATA 'remediate')
}

function Get-RmLogPath {
    <#
    .SYNOPSIS
    The log file. SYSTEM logs beside the Intune Management Extension logs so "Collect diagnostics" gathers it.
    #>
    if ($RmConfig.RunAs -eq 'system') {
        return (Join-Path $env:ProgramData ('Microsoft\IntuneManagementExtension\Logs\remediate-' + $RmConfig.Package + '.log'))
    }
    return (Join-Path (Get-RmDataRoot) ('logs\remediate-' + $RmConfig.Package + '.log'))
}

function Get-RmMinimalResultLine {
    <#
    .SYNOPSIS
    The last resort when even a result without findings is too long (a huge message or host name): only the
    fixed keys, the verdict and as many failing ids as fit. Still valid JSON; cutting the text never is.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result)
    $failing = New-Object System.Collections.Generic.List[string]
    foreach ($id in @($Result.failing)) {
        $failing.Add([string]$id)
    }
    while ($true) {
        $minimal = [ordered]@{
            schema_version = $RmSchema.Version
            tool = $RmConfig.Tool
            package = $RmConfig.Package
            phase = $RmConfig.Phase
            verdict = [string]$Result.verdict
            reason = 'truncated'
            dry_run = [bool]$RmConfig.DryRun
            truncated = $true
            failing = $failing.ToArray()
            findings = @()
        }
        $line = ConvertTo-RmJson -Value $minimal
        if ($line.Length -le $RmSchema.MaxChars -or $failing.Count -eq 0) {
            return $line
        }
        $failing.RemoveAt($failing.Count - 1)
    }
}

function Get-RmOsFolderTrust {
    <#
    .SYNOPSIS
    OS seam: who owns a folder and which SIDs may write to it (allow rules with write, modify or full control).
    #>
    param([Parameter(Mandatory = $true)][string]$Path)
    $acl = Get-Acl -LiteralPath $Path
    $owner = $acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    $writers = New-Object System.Collections.Generic.List[string]
    $write = [System.Security.AccessControl.FileSystemRights]'Write, Modify, FullControl, CreateFiles, AppendData, TakeOwnership, ChangePermissions'
    foreach ($rule in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
        if ($rule.AccessControlType -eq 'Allow' -and ($rule.FileSystemRights -band $write) -ne 0) {
            $writers.Add($rule.IdentityReference.Value)
        }
    }
    return [ordered]@{ Owner = $owner; Writers = $writers.ToArray() }
}

function Get-RmOsIdentity {
    <#
    .SYNOPSIS
    OS seam: the account this script runs as: SID, group SIDs, administrator or not, logon session.
    #>
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object System.Security.Principal.WindowsPrincipal($identity)
    return [ordered]@{
        Sid = $identity.User.Value
        Groups = @($identity.Groups | ForEach-Object { $_.Value })
        IsAdmin = $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
        SessionId = [System.Diagnostics.Process]::GetCurrentProcess().SessionId
    }
}

function Get-RmOsTime {
    <#
    .SYNOPSIS
    OS seam: the current time in UTC. Every clock reading of the scripts goes through here, so that tests
    can run a script on a simulated day (backoff, evidence windows, retention).
    #>
    return [DateTime]::UtcNow
}

function Get-RmRegistryReport {
    <#
    .SYNOPSIS
    Named registry values as text lines for the support bundle: 'path\name = value' or '<absent>'.
    #>
    param(
        [Parameter(Mandatory = $true)][string[]]$Path,
        [Parameter(Mandatory = $true)][string[]]$Name
    )
    $lines = New-Object System.Collections.Generic.List[string]
    foreach ($p in $Path) {
        foreach ($n in $Name) {
            $value = Get-RmRegistryValue -Path $p -Name $n
            $text = '<absent>'
            if ($null -ne $value) {
                $text = [string]$value
            }
            $lines.Add($p + '\' + $n + ' = ' + $text)
        }
    }
    return ($lines.ToArray() -join "`r`n")
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

function Get-RmScriptPath {
    <#
    .SYNOPSIS
    The file this script runs from: its own path, or, for a script run from memory by the compressed loader
    (remediate/powershell/loader.ps1.j2, which has no path of its own there), the loader's file.
    #>
    if ($PSCommandPath) {
        return $PSCommandPath
    }
    return [string]$env:REMEDIATE_SCRIPT_PATH
}

function Get-RmShrunkResult {
    <#
    .SYNOPSIS
    Applies shrinking steps 1..Step to a result that does not fit; $null when no step is left.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Result,
        [Parameter(Mandatory = $true)][int]$Step
    )
    if ($Step -gt 5) {
        return $null
    }
    $copy = [ordered]@{}
    foreach ($key in $Result.Keys) {
        $copy[$key] = $Result[$key]
    }
    $copy['truncated'] = $true
    $findings = @($Result.findings)
    if ($Step -ge 2) {
        $copy['evidence'] = [ordered]@{}
    }
    if ($Step -ge 3) {
        $findings = @($findings | Where-Object { @('pass', 'skipped', 'advisory') -notcontains $_.state })
    }
    if ($Step -ge 5) {
        $findings = @()
        $copy['reason'] = 'truncated'
    }
    $short = New-Object System.Collections.Generic.List[object]
    foreach ($f in $findings) {
        $entry = [ordered]@{ id = $f.id; state = $f.state }
        if ($Step -lt 4) {
            $entry['reason'] = $f.reason
        }
        $short.Add($entry)
    }
    $copy['findings'] = $short.ToArray()
    return $copy
}

function Get-RmStamp {
    <#
    .SYNOPSIS
    A time as the one text form used in state, evidence, backup and log files: UTC, ISO 8601 with a Z.
    #>
    param([DateTime]$Time = (Get-RmOsTime))
    return $Time.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture)
}

function Get-RmStatePath {
    <#
    .SYNOPSIS
    The package's state file. It lives on disk, so the backoff survives reboots.
    #>
    return (Join-Path (Get-RmDataRoot) ('state\' + $RmConfig.Package + '.state'))
}

function Initialize-RmDataRoot {
    <#
    .SYNOPSIS
    Makes sure the SYSTEM package's folder under ProgramData is ours before state, backups and evidence are
    trusted: created with a protected DACL, or verified. Returns '' or the problem ('data_root_untrusted...').
    #>
    if ($RmConfig.RunAs -ne 'system') {
        return ''
    }
    $root = Get-RmDataRoot
    if (-not (Test-Path -LiteralPath $root)) {
        $null = New-Item -ItemType Directory -Path $root -Force -WhatIf:$false
        Set-RmOsAcl -Path $root
        return ''
    }
    $item = Get-Item -LiteralPath $root -Force
    if (($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) {
        return 'data_root_untrusted_reparse_point'
    }
    $trusted = @('S-1-5-18', 'S-1-5-32-544')
    $trust = Get-RmOsFolderTrust -Path $root
    if ($trusted -notcontains $trust.Owner) {
        return 'data_root_untrusted_owner'
    }
    if (@($trust.Writers | Where-Object { $trusted -notcontains $_ }).Count -gt 0) {
        return 'data_root_untrusted_acl'
    }
    return ''
}

function Invoke-RmCollect {
    <#
    .SYNOPSIS
    The collect run: writes the support bundle <data root>\collect\bundle-<package>.zip (replaced each run)
    and answers its path, size, SHA-256 and file list. Changes nothing else on the machine.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    $started = [DateTime]::UtcNow
    $result = New-RmResult -Context $Context
    $untrusted = Initialize-RmDataRoot
    if ($untrusted) {
        $result.reason = $untrusted
        return $result
    }
    $folder = Join-Path (Get-RmDataRoot) 'collect'
    $null = New-Item -ItemType Directory -Path $folder -Force
    $path = Join-Path $folder ('bundle-' + $RmConfig.Package + '.zip')
    Add-Type -AssemblyName System.IO.Compression
    $budget = [ordered]@{ used = 0; files = (New-Object System.Collections.Generic.List[string]); omitted = (New-Object System.Collections.Generic.List[string]) }
    $stream = [System.IO.File]::Open($path, [System.IO.FileMode]::Create)
    try {
        $archive = New-Object System.IO.Compression.ZipArchive($stream, [System.IO.Compression.ZipArchiveMode]::Create)
        try {
            Add-RmBundleSource -Archive $archive -Budget $budget -Context $Context
            $index = @('remediate support bundle', ('package: ' + $RmConfig.Package), ('computer: ' + $Context.Computer), ('collected: ' + (Get-RmStamp)), '', 'files:') + @($budget.files) + @('', 'left out (size cap or not available):') + @($budget.omitted)
            $null = Add-RmBundleEntry -Archive $archive -Budget $budget -Name 'index.txt' -Text ($index -join "`r`n")
        }
        finally {
            $archive.Dispose()
        }
    }
    finally {
        $stream.Dispose()
    }
    $bytes = [System.IO.File]::ReadAllBytes($path)
    $sha = [System.BitConverter]::ToString([System.Security.Cryptography.SHA256]::Create().ComputeHash($bytes)).Replace('-', '').ToLowerInvariant()
    $facts = [ordered]@{ path = $path; bytes = $bytes.Length; sha256 = $sha; files = $budget.files.ToArray(); omitted = $budget.omitted.ToArray() }
    Write-RmLog -Message ('collect: bundle ' + $path + ' ' + $bytes.Length + ' bytes, ' + $budget.files.Count + ' files')
    $result.findings = @(New-RmFinding -Id 'bundle' -State 'pass' -Reason 'collected' -Facts $facts)
    $result.verdict = 'compliant'
    $result.duration_ms = [int]([DateTime]::UtcNow - $started).TotalMilliseconds
    return $result
}

function Invoke-RmNative {
    <#
    .SYNOPSIS
    Runs a native program (dsregcmd, w32tm, netsh, cmdkey...) with a deadline and captures its output.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string]$Arguments = '',
        [int]$TimeoutSeconds = 10
    )
    $outcome = [ordered]@{ ExitCode = -1; Output = ''; Error = ''; TimedOut = $false; Started = $false }
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $FilePath
    $info.Arguments = $Arguments
    $info.UseShellExecute = $false
    $info.CreateNoWindow = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = New-Object System.Diagnostics.Process
    $process.StartInfo = $info
    try {
        $outcome.Started = $process.Start()
    }
    catch {
        $outcome.Error = $_.Exception.Message
        return $outcome
    }
    # Read both streams asynchronously so a full pipe buffer cannot deadlock the child.
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $outcome.TimedOut = $true
        try {
            $process.Kill()
        }
        catch {
            $null = $_
        }
        return $outcome
    }
    $outcome.ExitCode = $process.ExitCode
    $outcome.Output = $stdout.Result
    $outcome.Error = $stderr.Result
    return $outcome
}

function Invoke-RmSelf64 {
    <#
    .SYNOPSIS
    Runs this same script file in 64-bit Windows PowerShell through sysnative and returns its last output
    line and exit code, so that the caller passes them on unchanged through the single exit point.
    #>
    $powershell = Join-Path $env:windir 'sysnative\WindowsPowerShell\v1.0\powershell.exe'
    $env:REMEDIATE_RELAUNCHED = '1'
    $lines = @(& $powershell -NoProfile -ExecutionPolicy Bypass -File (Get-RmScriptPath))
    $code = $LASTEXITCODE
    $last = ''
    if ($lines.Count -gt 0) {
        $last = [string]$lines[$lines.Count - 1]
    }
    return [ordered]@{ Raw = $last; ExitCode = $code }
}

function New-RmErrorResult {
    <#
    .SYNOPSIS
    The result for an error that escaped every check: verdict 'error', the message in the JSON, not stderr.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'builds an in-memory result object; changes nothing on the system')]
    param([Parameter(Mandatory = $true)][System.Management.Automation.ErrorRecord]$ErrorRecord)
    $message = $ErrorRecord.Exception.Message
    Write-RmLog -Message ('unhandled error: ' + $message + ' at ' + $ErrorRecord.InvocationInfo.PositionMessage)
    return [ordered]@{
        schema_version = $RmSchema.Version
        tool = $RmConfig.Tool
        package = $RmConfig.Package
        phase = $RmConfig.Phase
        verdict = 'error'
        reason = 'unhandled_error'
        dry_run = [bool]$RmConfig.DryRun
        failing = @()
        findings = @()
        message = $message
    }
}

function New-RmFinding {
    <#
    .SYNOPSIS
    Builds one per-check finding: id, state, a short reason code and a few facts.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'builds an in-memory finding; changes nothing on the system')]
    param(
        [Parameter(Mandatory = $true)][string]$Id,
        [Parameter(Mandatory = $true)][string]$State,
        [string]$Reason = '',
        [System.Collections.IDictionary]$Facts = $null
    )
    if ($RmSchema.States -notcontains $State) {
        throw ('unknown finding state ' + $State)
    }
    $finding = [ordered]@{ id = $Id; state = $State; reason = $Reason }
    if ($null -eq $Facts) {
        $Facts = [ordered]@{}
    }
    $finding['facts'] = $Facts
    return $finding
}

function New-RmResult {
    <#
    .SYNOPSIS
    Starts the result object of this run; the schema is defined in remediate/results.py.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'builds an in-memory result object; changes nothing on the system')]
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    return [ordered]@{
        schema_version = $RmSchema.Version
        tool = $RmConfig.Tool
        package = $RmConfig.Package
        phase = $RmConfig.Phase
        verdict = 'error'
        reason = ''
        context = $Context.Account
        computer = $Context.Computer
        dry_run = [bool]$RmConfig.DryRun
        duration_ms = 0
        failing = @()
        findings = @()
        evidence = [ordered]@{}
    }
}

function Open-RmRegistryKey {
    <#
    .SYNOPSIS
    Opens a registry key in the 64-bit view whatever the bitness of this PowerShell.
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

function Set-RmOsAcl {
    <#
    .SYNOPSIS
    OS seam: gives a folder or file a protected DACL: SYSTEM and Administrators full control (inherited by
    children of a folder), plus read for ReaderSid when given; nothing inherited from the parent.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: protects the own data folder of remediate and evidence files right after creating them; dry runs keep them protected too')]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [string]$ReaderSid = ''
    )
    $isFolder = Test-Path -LiteralPath $Path -PathType Container
    if ($isFolder) {
        $acl = New-Object System.Security.AccessControl.DirectorySecurity
        $inherit = 'ContainerInherit,ObjectInherit'
    }
    else {
        $acl = New-Object System.Security.AccessControl.FileSecurity
        $inherit = 'None'
    }
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($admin in @('S-1-5-18', 'S-1-5-32-544')) {
        $id = New-Object System.Security.Principal.SecurityIdentifier($admin)
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($id, 'FullControl', $inherit, 'None', 'Allow')))
    }
    if ($ReaderSid) {
        $reader = New-Object System.Security.Principal.SecurityIdentifier($ReaderSid)
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($reader, 'Read', $inherit, 'None', 'Allow')))
    }
    Set-Acl -LiteralPath $Path -AclObject $acl -WhatIf:$false
}

function Test-RmRelaunchNeeded {
    <#
    .SYNOPSIS
    Whether this is a 32-bit PowerShell on 64-bit Windows that should hand over to the 64-bit one.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    if ($Context.Is64BitProcess -or -not $Context.Is64BitOs) {
        return $false
    }
    if ($env:REMEDIATE_RELAUNCHED -eq '1' -or -not (Get-RmScriptPath)) {
        return $false
    }
    return $true
}

function Write-RmLog {
    <#
    .SYNOPSIS
    Appends one ASCII line to the log file; never writes to the console (the console is for the result line).
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

function Write-RmResult {
    <#
    .SYNOPSIS
    Writes the result as the last output line and ends the script: this function holds its only exit.
    #>
    param(
        [AllowNull()][System.Collections.IDictionary]$Result,
        [AllowNull()][System.Collections.IDictionary]$Relaunch
    )
    try {
        if ($null -ne $Relaunch) {
            $line = [string]$Relaunch.Raw
            $code = [int]$Relaunch.ExitCode
        }
        else {
            $line = Format-RmResultLine -Result $Result
            $code = [int]$RmSchema.ExitCodes[$RmConfig.Phase + ':' + $Result.verdict]
        }
        $output = Format-RmProfileOutput -Result $Result -Line $line -ExitCode $code
        Write-RmLog -Message ('result exit ' + $output.ExitCode + ' ' + $line)
    }
    catch {
        # Constrained Language Mode blocks the JSON writer itself; say so, with what fixes it (signing).
        $reason = '"reason":"unhandled_error"'
        if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
            $reason = '"reason":"constrained_language","advice":"sign_scripts_for_wdac_or_applocker"'
        }
        $line = '{"schema_version":' + $RmSchema.Version + ',"package":"' + $RmConfig.Package + '","phase":"' + $RmConfig.Phase + '","verdict":"error",' + $reason + ',"findings":[]}'
        $output = [ordered]@{ Lines = @($line); ExitCode = 1 }
        if (-not $RmOutput.PhaseExit) {
            $output = [ordered]@{ Lines = $RmOutput.Fallback; ExitCode = $RmOutput.FallbackExit }
        }
    }
    foreach ($text in $output.Lines) {
        Write-Output $text
    }
    if ($RmOutput.HostExit) {
        # An agent that runs the file without -File (Tactical RMM: powershell.exe ... <file>, which is -Command)
        # gets exit N as 0 or 1 only; the exit code set on the host survives. Never fatal (docs/rmm.md).
        try {
            $Host.SetShouldExit($output.ExitCode)
        }
        catch {
            Write-RmLog -Message ('host exit code not set: ' + $_.Exception.Message)
        }
    }
    exit $output.ExitCode
}

function Format-RmProfileOutput {
    <#
    .SYNOPSIS
    Output profiles intune and json: the JSON result line and the phase/verdict exit code, unchanged.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Result', Justification = 'same signature as the mapped variant (profiles/mapped), which Write-RmResult calls alike')]
    param(
        [AllowNull()][System.Collections.IDictionary]$Result,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Line,
        [Parameter(Mandatory = $true)][int]$ExitCode
    )
    return [ordered]@{ Lines = @($Line); ExitCode = $ExitCode }
}

# ---- main: one try/catch, one result, one exit (in Write-RmResult) ----
$RmOutcome = $null
$RmRelaunch = $null
try {
    # Constrained Language Mode blocks the .NET calls below: stop before touching anything.
    if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
        throw 'constrained_language'
    }
    $RmContext = Get-RmContext
    if (Test-RmRelaunchNeeded -Context $RmContext) {
        $RmRelaunch = Invoke-RmSelf64
    }
    else {
        $RmOutcome = Invoke-RmCollect -Context $RmContext
    }
}
catch {
    $RmOutcome = New-RmErrorResult -ErrorRecord $_
}
Write-RmResult -Result $RmOutcome -Relaunch $RmRelaunch
