# generated from packaging/caa20002-user.toml by remediate 0.1.0; do not edit
# input-sha256: 25b5382b1c0fee938ea9829167fa515ebddf5853d368538bbfe1c971ea6f7351
#
# CAA20002 sign-in failure - user checks - remediate script
# Runs as: user (64-bit PowerShell). Intune: powershell.exe -NoProfile -ExecutionPolicy Bypass -File
# Contract: the last output line is one JSON result (ASCII, <= 2,048 characters); exit code from the verdict
# (0 = done or deferred, 1 = failed). Nothing is ever written to stderr.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$ProgressPreference = 'SilentlyContinue'

# ---- settings (rendered from the package; the dry-run switch can also be set with REMEDIATE_DRY_RUN=1) ----
$RmConfig = [ordered]@{
    'Tool' = '0.1.0'
    'Package' = 'caa20002-user'
    'Phase' = 'remediate'
    'RunAs' = 'user'
    'DryRun' = $false
    'MutexName' = 'Global\remediate-caa20002-user'
    'MaxAttempts' = 3
    'CooldownMinutes' = 120
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
$RmCodeTable = @{
    '0x00000102' = 'hresult'
    '0x80070102' = 'hresult'
    '0x80070520' = 'hresult'
    '0x80090016' = 'keystore'
    '0xCAA10001' = 'ui'
    '0xCAA20002' = 'oauth'
    '0xCAA20003' = 'oauth'
    '0xCAA20004' = 'oauth'
    '0xCAA20005' = 'oauth'
    '0xCAA20009' = 'oauth'
    '0xCAA2000C' = 'oauth'
    '0xCAA30194' = 'http'
    '0xCAA30197' = 'http'
    '0xCAA5001C' = 'system'
    '0xCAA70004' = 'urlmon'
    '0xCAA70007' = 'urlmon'
    '0xCAA7000A' = 'urlmon'
    '0xCAA70010' = 'urlmon'
    '0xCAA82EE2' = 'winhttp'
    '0xCAA82EE7' = 'winhttp'
    '0xCAA82EFD' = 'winhttp'
    '0xCAA82F05' = 'winhttp'
    '0xCAA82F7D' = 'winhttp'
    '0xCAA82F86' = 'winhttp'
    '0xCAA82F87' = 'winhttp'
    '0xCAA82F8F' = 'winhttp'
    '0xCAA82F94' = 'winhttp'
    '0xCAA90003' = 'protocol'
    '0xCAA90004' = 'protocol'
    '0xCAA90018' = 'protocol'
}
$RmCodeFamilies = @(
    @{ Mask = 268369920; Match = 178323456; Layer = 'ui'; UserState = $false },
    @{ Mask = 268369920; Match = 178388992; Layer = 'oauth'; UserState = $false },
    @{ Mask = 268369920; Match = 178454528; Layer = 'http'; UserState = $false },
    @{ Mask = 268369920; Match = 178585600; Layer = 'system'; UserState = $true },
    @{ Mask = 268369920; Match = 178716672; Layer = 'urlmon'; UserState = $false },
    @{ Mask = 268369920; Match = 178782208; Layer = 'winhttp'; UserState = $false },
    @{ Mask = 268369920; Match = 178847744; Layer = 'protocol'; UserState = $false },
    @{ Mask = 268369920; Match = 178978816; Layer = 'broker'; UserState = $true },
    @{ Mask = 267386880; Match = 178257920; Layer = 'unknown'; UserState = $false },
    @{ Mask = 268369920; Match = 2621440; Layer = 'tpm'; UserState = $true },
    @{ Mask = 268369920; Match = 2686976; Layer = 'tpm'; UserState = $true },
    @{ Mask = 268369920; Match = 589824; Layer = 'keystore'; UserState = $true },
    @{ Mask = 4294901760; Match = 2147942400; Layer = 'hresult'; UserState = $false },
    @{ Mask = 4294901760; Match = 0; Layer = 'hresult'; UserState = $false },
    @{ Mask = 2147483648; Match = 2147483648; Layer = 'hresult'; UserState = $false }
)

# ---- runtime (remediate/powershell/runtime, inlined) ----
function Clear-RmFailure {
    <#
    .SYNOPSIS
    Forgets a check's failed attempts: after a verified fix, when the check passes on its own, or on expiry.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$State,
        [Parameter(Mandatory = $true)][string]$Id
    )
    $null = $State.Remove($Id + '.failures')
    $null = $State.Remove($Id + '.next')
}

function Clear-RmQuarantine {
    <#
    .SYNOPSIS
    Deletes quarantine sets older than the retention period; never touches anything outside the root.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param()
    $root = Get-RmQuarantineRoot
    if (-not (Test-Path -LiteralPath $root)) {
        return
    }
    $limit = (Get-RmOsTime).AddDays(-$RmConfig.QuarantineRetentionDays)
    foreach ($set in @(Get-ChildItem -LiteralPath $root -Directory)) {
        # A set's age comes from the UTC stamp in its name (written by Move-RmToQuarantine), not from file
        # times that a copy or restore can change.
        $created = $set.CreationTimeUtc
        $stamp = [DateTime]::MinValue
        if ([DateTime]::TryParseExact($set.Name.Split('-')[0], 'yyyyMMddTHHmmssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal', [ref]$stamp)) {
            $created = $stamp
        }
        if ($created -lt $limit -and (Test-RmPathUnder -Path $set.FullName -Root @($root))) {
            if ($PSCmdlet.ShouldProcess($set.FullName, 'delete expired quarantine set')) {
                try {
                    Remove-Item -LiteralPath $set.FullName -Recurse -Force
                    Write-RmLog -Message ('purged quarantine set ' + $set.FullName)
                }
                catch {
                    # A locked file in an old set must not fail the run: the next run tries again.
                    Write-RmLog -Message ('could not purge quarantine set ' + $set.FullName + ': ' + $_.Exception.Message)
                }
            }
        }
    }
}

function Confirm-RmRepair {
    <#
    .SYNOPSIS
    Turns a repair outcome into the final finding: verified 'fixed', 'failed', or the repair's own
    'deferred'/'skipped' answer. Failures feed the backoff state. A repair that carries 'pending' (a reason)
    and does not verify yet is 'deferred' with that reason: it may still take effect, so it costs no attempt.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Repair
    )
    if (@('deferred', 'skipped') -contains $Repair.state) {
        return $Repair
    }
    if ($Repair.state -eq 'failed' -or $Repair.state -eq 'error') {
        Register-RmAttempt -State $Run.State -Id $Check.Id -Succeeded $false
        return New-RmFinding -Id $Check.Id -State 'failed' -Reason $Repair.reason -Facts $Repair.facts
    }
    $after = Invoke-RmDetect -Check $Check -Run $Run
    $facts = $Repair.facts
    # 'advisory' after a fix: the fixable part is gone and only something nothing local can fix remains.
    if ($after.state -eq 'pass' -or $after.state -eq 'advisory') {
        Register-RmAttempt -State $Run.State -Id $Check.Id -Succeeded $true
        return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Repair.reason -Facts $facts
    }
    $facts['after'] = $after.reason
    if ($Repair.Contains('pending')) {
        # The fix takes effect later (the repair says why): deferred, and no attempt is counted for backoff.
        return New-RmFinding -Id $Check.Id -State 'deferred' -Reason $Repair.pending -Facts $facts
    }
    Register-RmAttempt -State $Run.State -Id $Check.Id -Succeeded $false
    return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'still_failing' -Facts $facts
}

function ConvertFrom-RmCodeCount {
    <#
    .SYNOPSIS
    'CODE:count,CODE:count' as a dictionary code -> count (canonical hex upper-cased; junk entries skipped).
    #>
    param([AllowEmptyString()][string]$Text)
    $counts = [ordered]@{}
    foreach ($entry in ($Text -split ',')) {
        $pair = $entry -split ':', 2
        $code = $pair[0].Trim()
        if ($code -match '^0[xX][0-9A-Fa-f]{8}$') {
            $code = '0x' + $code.Substring(2).ToUpperInvariant()
        }
        elseif ($code -notmatch '^AADSTS[0-9]{4,9}$') {
            continue
        }
        $hits = 1
        if ($pair.Count -eq 2 -and -not [int]::TryParse($pair[1], [ref]$hits)) {
            $hits = 1
        }
        $counts[$code] = $hits + [int]$counts[$code]
    }
    return $counts
}

function ConvertFrom-RmColonList {
    <#
    .SYNOPSIS
    Parses 'Name : Value' lines (dsregcmd /status, w32tm /query) into a hashtable; later duplicates win.
    #>
    param([AllowEmptyString()][string]$Text)
    $values = @{}
    foreach ($line in ($Text -split "`r?`n")) {
        $match = [regex]::Match($line, '^\s*([A-Za-z][A-Za-z0-9 ()\-]*?)\s*:\s*(.*?)\s*$')
        if ($match.Success) {
            $values[$match.Groups[1].Value] = $match.Groups[2].Value
        }
    }
    return $values
}

function ConvertFrom-RmEvidenceStamp {
    <#
    .SYNOPSIS
    An evidence file's time, or $null when it is missing or not in the one stamp format (never throws).
    #>
    param([AllowEmptyString()][AllowNull()][string]$Text)
    $time = [DateTime]::MinValue
    if ($Text -and [DateTime]::TryParseExact($Text, 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal', [ref]$time)) {
        return $time
    }
    return $null
}

function ConvertFrom-RmStamp {
    <#
    .SYNOPSIS
    Reads a time written by Get-RmStamp back as a UTC DateTime (culture-independent).
    #>
    param([Parameter(Mandatory = $true)][string]$Text)
    return [DateTime]::ParseExact($Text, 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal')
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

function Enter-RmMutex {
    <#
    .SYNOPSIS
    Takes the package's Global\ named mutex without waiting; $null when another run holds it.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    $mutex = New-Object System.Threading.Mutex($false, $Name)
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

function Exit-RmMutex {
    <#
    .SYNOPSIS
    Releases a mutex taken by Enter-RmMutex.
    #>
    param([AllowNull()][object]$Mutex)
    if ($null -ne $Mutex) {
        $Mutex.ReleaseMutex()
        $Mutex.Dispose()
    }
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

function Get-RmCodeLayer {
    <#
    .SYNOPSIS
    The layer of a canonical code ('0xCAA20002' or 'AADSTS50126'): exact table first, then family rules.
    #>
    param([Parameter(Mandatory = $true)][string]$Code)
    if ($RmCodeTable.ContainsKey($Code)) {
        return $RmCodeTable[$Code]
    }
    if ($Code.StartsWith('AADSTS')) {
        return 'aadsts'
    }
    $value = [Convert]::ToInt64($Code.Substring(2), 16)
    foreach ($rule in $RmCodeFamilies) {
        if (($value -band $rule.Mask) -eq $rule.Match) {
            return $rule.Layer
        }
    }
    return ''
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

function Get-RmContextProblem {
    <#
    .SYNOPSIS
    The verdict to stop with when the package runs in the wrong context, or '' when the context is right.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    if ($RmConfig.RunAs -eq 'user' -and $Context.Account -ne 'user') {
        return 'skipped'
    }
    if ($RmConfig.RunAs -eq 'system' -and -not $Context.IsAdmin) {
        return 'error'
    }
    return ''
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

function Get-RmEvidenceFolder {
    <#
    .SYNOPSIS
    Where the device package leaves per-user sign-in evidence for the user package to read.
    #>
    return (Join-Path $env:ProgramData 'remediate\evidence')
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

function Get-RmMissingKeyDepth {
    <#
    .SYNOPSIS
    How many keys at the end of a registry path do not exist yet (0 when the key exists).
    #>
    param([Parameter(Mandatory = $true)][string]$Path)
    $depth = 0
    $current = $Path
    while ($current -match '^[A-Z]+:\\.+\\') {
        $key = Open-RmRegistryKey -Path $current
        if ($null -ne $key) {
            $key.Close()
            return $depth
        }
        $depth += 1
        $current = $current.Substring(0, $current.LastIndexOf('\'))
    }
    return $depth
}

function Get-RmOsAppxPackage {
    <#
    .SYNOPSIS
    OS seam: the current user's installed packages of one name, each with Name, Version and Status.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    $packages = Invoke-RmWithDeadline -TimeoutSeconds 4 -Parameters @{ Name = $Name } -ScriptBlock {
        param($Name)
        Get-AppxPackage -Name $Name -ErrorAction Stop
    }
    return @($packages | ForEach-Object {
            [ordered]@{ Name = [string]$_.Name; Version = [string]$_.Version; Status = [string]$_.Status }
        })
}

function Get-RmOsEvent {
    <#
    .SYNOPSIS
    OS seam: event records of one log since a time, newest first, read culture-free.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$LogName,
        [int[]]$Id = @(),
        [string]$ProviderName = '',
        [Parameter(Mandatory = $true)][DateTime]$Since,
        [Parameter(Mandatory = $true)][int]$MaxEvents
    )
    $filter = @{ LogName = $LogName; StartTime = $Since.ToLocalTime() }
    if ($Id.Count -gt 0) {
        $filter['Id'] = $Id
    }
    if ($ProviderName) {
        $filter['ProviderName'] = $ProviderName
    }
    $answer = [ordered]@{ Status = 'ok'; Records = @() }
    # Bounded (6 s, inside aad_evidence's budget for two logs): Get-WinEvent has no timeout of its own. The block sorts out the
    # "nothing found" answers, which Get-WinEvent reports as errors, before they cross the runspace.
    $raw = @()
    try {
        $raw = @(Invoke-RmWithDeadline -TimeoutSeconds 6 -Parameters @{ Filter = $filter; Max = $MaxEvents } -ScriptBlock {
            param($Filter, $Max)
            try {
                Get-WinEvent -FilterHashtable $Filter -MaxEvents $Max -ErrorAction Stop
            }
            catch {
                if ($_.FullyQualifiedErrorId -like 'NoMatchingLogsFound*') {
                    'log_missing'
                }
                elseif ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') {
                    throw
                }
            }
        })
    }
    catch [System.TimeoutException] {
        $answer.Status = 'timeout'
        return $answer
    }
    if ($raw.Count -eq 1 -and $raw[0] -is [string]) {
        $answer.Status = 'missing'
        return $answer
    }
    $answer.Records = @($raw | ForEach-Object {
            $sid = ''
            if ($null -ne $_.UserId) {
                $sid = $_.UserId.Value
            }
            [ordered]@{
                Id = [int]$_.Id
                Time = $_.TimeCreated.ToUniversalTime()
                UserSid = $sid
                Provider = [string]$_.ProviderName
                Data = @($_.Properties | ForEach-Object { [string]$_.Value })
            }
        })
    return $answer
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

function Get-RmOsProcess {
    <#
    .SYNOPSIS
    OS seam: the running processes of one image name (without .exe), each with Id, Name and SessionId.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    return @(Get-Process -Name $Name -ErrorAction SilentlyContinue | ForEach-Object {
            [ordered]@{ Id = [int]$_.Id; Name = [string]$_.ProcessName; SessionId = [int]$_.SessionId }
        })
}

function Get-RmOsTime {
    <#
    .SYNOPSIS
    OS seam: the current time in UTC. Every clock reading of the scripts goes through here, so that tests
    can run a script on a simulated day (backoff, evidence windows, retention).
    #>
    return [DateTime]::UtcNow
}

function Get-RmQuarantineRoot {
    <#
    .SYNOPSIS
    The only folder under which the runtime ever deletes anything (old quarantine sets).
    #>
    return (Join-Path (Get-RmDataRoot) 'quarantine')
}

function Get-RmRegistrySubKeyName {
    <#
    .SYNOPSIS
    Names of the subkeys of a key in the 64-bit view; empty when the key is absent.
    #>
    param([Parameter(Mandatory = $true)][string]$Path)
    $key = Open-RmRegistryKey -Path $Path
    if ($null -eq $key) {
        return @()
    }
    try {
        return @($key.GetSubKeyNames() | Sort-Object)
    }
    finally {
        $key.Close()
    }
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

function Get-RmState {
    <#
    .SYNOPSIS
    Reads the state file into a hashtable of 'check.key' = 'value' strings; empty when absent or unreadable.
    #>
    $state = @{}
    $path = Get-RmStatePath
    if (-not (Test-Path -LiteralPath $path)) {
        return $state
    }
    foreach ($line in [System.IO.File]::ReadAllLines($path)) {
        $pair = $line -split '=', 2
        if ($pair.Count -eq 2 -and $pair[0]) {
            $state[$pair[0]] = $pair[1]
        }
    }
    return $state
}

function Get-RmStatePath {
    <#
    .SYNOPSIS
    The package's state file. It lives on disk, so the backoff survives reboots.
    #>
    return (Join-Path (Get-RmDataRoot) ('state\' + $RmConfig.Package + '.state'))
}

function Get-RmUserEvidence {
    <#
    .SYNOPSIS
    Whether this user's recent sign-in failures implicate the state a fix touches (the evidence gate).
    #>
    param(
        [Parameter(Mandatory = $true)][int]$WindowHours,
        [Parameter(Mandatory = $true)][string]$Mode,
        [Parameter(Mandatory = $true)][string]$Sid,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Gate,
        [switch]$Advice
    )
    $evidence = [ordered]@{ found = $false; last = $null; codes = ''; source = 'none' }
    if ($Mode -eq 'always') {
        $evidence.found = $true
        $evidence.last = (Get-RmOsTime)
        $evidence.source = 'always'
        return $evidence
    }
    $values = Read-RmUserEvidenceFile -Sid $Sid
    $last = ConvertFrom-RmEvidenceStamp -Text $values['last_failure']
    $counts = ConvertFrom-RmCodeCount -Text ([string]$values['failure_codes'])
    if ($Advice) {
        $noise = ConvertFrom-RmEvidenceStamp -Text $values['last_event']
        if ($null -ne $noise -and ($null -eq $last -or $noise -gt $last)) {
            $last = $noise
        }
        $all = ConvertFrom-RmCodeCount -Text ([string]$values['codes'])
        foreach ($code in @($all.Keys)) {
            if (-not $counts.Contains($code) -or [int]$counts[$code] -lt [int]$all[$code]) {
                $counts[$code] = $all[$code]
            }
        }
    }
    if ($null -eq $last -or $last -lt (Get-RmOsTime).AddHours(-$WindowHours)) {
        return $evidence
    }
    # A failure "in the future" is a stamp written with a culture's calendar (th-TH: year 2569) or a broken
    # clock: not evidence, or it would stay "newer than the last clear" for centuries.
    if ($last -gt (Get-RmOsTime).AddMinutes(10)) {
        $evidence.source = 'future_stamp'
        return $evidence
    }
    $any = @($Gate.Codes).Count -eq 0 -and @($Gate.Layers).Count -eq 0
    $matched = New-Object System.Collections.Generic.List[string]
    foreach ($code in @($counts.Keys | Sort-Object)) {
        if (@($Gate.Routine) -contains $code) {
            continue
        }
        if ($any -or @($Gate.Codes) -contains $code -or @($Gate.Layers) -contains (Get-RmCodeLayer -Code $code)) {
            $matched.Add($code + ':' + $counts[$code])
        }
    }
    if ($matched.Count -eq 0) {
        $evidence.source = 'not_implicating'
        return $evidence
    }
    $evidence.found = $true
    $evidence.last = $last
    $evidence.codes = $matched -join ','
    $evidence.source = 'device_evidence'
    return $evidence
}

function Get-RmVerdict {
    <#
    .SYNOPSIS
    The package verdict from its findings (the rules are documented in the generated README).
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Findings)
    $states = @($Findings | ForEach-Object { $_.state })
    $open = @($Findings | Where-Object { $_.state -eq 'skipped' -and (Test-RmFindingOpen -Finding $_) })
    if ($RmConfig.Phase -eq 'detect') {
        if ($states -contains 'fail') { return 'non_compliant' }
        if ($states -contains 'error') { return 'error' }
        return 'compliant'
    }
    if (($states -contains 'failed') -or ($states -contains 'error')) { return 'failed' }
    if ($states -contains 'deferred') { return 'deferred' }
    if ($open.Count -gt 0) { return 'non_compliant' }
    if ($states -contains 'fixed') { return 'remediated' }
    return 'compliant'
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

function Invoke-RmCheckList {
    <#
    .SYNOPSIS
    Runs every check of the package in ladder order (least invasive first) for the current phase.
    #>
    param(
        [Parameter(Mandatory = $true)][object[]]$Checks,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $findings = New-Object System.Collections.Generic.List[object]
    foreach ($check in $Checks) {
        if ($RmConfig.Phase -eq 'detect') {
            $findings.Add((Invoke-RmDetect -Check $check -Run $Run))
        }
        else {
            $findings.Add((Invoke-RmRepairStep -Check $check -Run $Run))
        }
    }
    return $findings.ToArray()
}

function Invoke-RmDetect {
    <#
    .SYNOPSIS
    Runs one check's detection; an exception becomes an 'error' finding instead of ending the run.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    try {
        $finding = Select-RmFinding -Output @(& $Check.Detect -Check $Check -Run $Run) -Id $Check.Id
    }
    catch {
        $finding = New-RmFinding -Id $Check.Id -State 'error' -Reason 'unhandled_error' -Facts ([ordered]@{ message = $_.Exception.Message })
    }
    # Switched off means quiet: a problem whose fix this package does not enable is reported, never
    # non-compliant (Intune would show the fleet as "Recurred" for ever).
    if ($finding.state -eq 'fail' -and -not $Check.Fix) {
        $finding.state = 'advisory'
        $finding.facts['fix'] = 'not_enabled'
    }
    Write-RmLog -Message ($Check.Id + ': detect ' + $finding.state + ' ' + $finding.reason)
    return $finding
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

function Invoke-RmPackage {
    <#
    .SYNOPSIS
    The whole run: context check, mutex (remediation only), the checks, the state file, the verdict.
    #>
    param(
        [Parameter(Mandatory = $true)][object[]]$Checks,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context
    )
    $started = [DateTime]::UtcNow
    $result = New-RmResult -Context $Context
    # Cache: slow read-only probes a check reads once per run (its verification after a fix reuses them).
    $run = [ordered]@{ Context = $Context; Evidence = [ordered]@{}; State = @{}; Cache = @{} }
    $problem = Get-RmContextProblem -Context $Context
    if ($problem) {
        $result.verdict = $problem
        $result.reason = 'wrong_context'
        return $result
    }
    $untrusted = Initialize-RmDataRoot
    if ($untrusted) {
        $result.verdict = 'error'
        $result.reason = $untrusted
        return $result
    }
    $mutex = $null
    if ($RmConfig.Phase -eq 'remediate') {
        # One device package run per device whoever starts it (Intune as SYSTEM, a technician as admin);
        # one user package run per user.
        $mutexName = $RmConfig.MutexName
        if ($RmConfig.RunAs -eq 'user') {
            $mutexName = $mutexName + '-' + $Context.Sid
        }
        $mutex = Enter-RmMutex -Name $mutexName
        if ($null -eq $mutex) {
            $result.verdict = 'skipped'
            $result.reason = 'mutex_busy'
            return $result
        }
    }
    try {
        $run.State = Get-RmState
        $findings = @(Invoke-RmCheckList -Checks $Checks -Run $run)
        if ($RmConfig.Phase -eq 'remediate' -and -not $RmConfig.DryRun) {
            Save-RmState -State $run.State
            Clear-RmQuarantine
        }
    }
    finally {
        Exit-RmMutex -Mutex $mutex
    }
    foreach ($finding in $findings) {
        # A detection's plan is for the remediation only; it never goes into the result line.
        if ($finding.Contains('plan')) {
            $finding.Remove('plan')
        }
    }
    $result.findings = $findings
    $result.failing = @($findings | Where-Object { Test-RmFindingOpen -Finding $_ } | ForEach-Object { $_.id })
    $result.verdict = Get-RmVerdict -Findings $findings
    if (@($findings | Where-Object { $_.reason -eq 'needs_attention' }).Count -gt 0) {
        $result.reason = 'needs_attention'
    }
    $result.evidence = $run.Evidence
    $result.duration_ms = [int]([DateTime]::UtcNow - $started).TotalMilliseconds
    return $result
}

function Invoke-RmRepairStep {
    <#
    .SYNOPSIS
    Re-detects one check, applies its fix when allowed, and verifies the fix by detecting again.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $before = Invoke-RmDetect -Check $Check -Run $Run
    if ($before.state -eq 'pass') {
        # Passing on its own (someone fixed it, or it was transient): earlier failures no longer count.
        Clear-RmFailure -State $Run.State -Id $Check.Id
    }
    if ($before.state -ne 'fail') {
        return $before
    }
    $facts = $before.facts
    $facts['detected'] = $before.reason
    if (-not $Check.Repair) {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'advisory_only' -Facts $facts
    }
    if (-not $Check.Fix) {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'not_enabled' -Facts $facts
    }
    $gate = Test-RmBackoff -State $Run.State -Id $Check.Id
    if ($gate -ne 'ok') {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason $gate -Facts $facts
    }
    if ($RmConfig.DryRun) {
        $WhatIfPreference = $true
    }
    try {
        $repair = Select-RmFinding -Output @(& $Check.Repair -Check $Check -Run $Run -Finding $before) -Id $Check.Id
    }
    catch {
        $repair = New-RmFinding -Id $Check.Id -State 'failed' -Reason 'unhandled_error' -Facts ([ordered]@{ message = $_.Exception.Message })
    }
    Write-RmLog -Message ($Check.Id + ': repair ' + $repair.state + ' ' + $repair.reason)
    if ($RmConfig.DryRun) {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'dry_run' -Facts $repair.facts
    }
    return Confirm-RmRepair -Check $Check -Run $Run -Repair $repair
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

function Invoke-RmWithDeadline {
    <#
    .SYNOPSIS
    Runs a script block in a separate runspace of this process and waits at most TimeoutSeconds; returns its
    output, rethrows its terminating error, and throws a TimeoutException when the deadline passes.
    #>
    param(
        [Parameter(Mandatory = $true)][scriptblock]$ScriptBlock,
        [System.Collections.IDictionary]$Parameters = @{},
        [Parameter(Mandatory = $true)][int]$TimeoutSeconds
    )
    $shell = [PowerShell]::Create()
    $null = $shell.AddScript($ScriptBlock.ToString())
    foreach ($key in $Parameters.Keys) {
        $null = $shell.AddParameter([string]$key, $Parameters[$key])
    }
    $pending = $shell.BeginInvoke()
    if (-not $pending.AsyncWaitHandle.WaitOne($TimeoutSeconds * 1000)) {
        $null = $shell.BeginStop($null, $null)
        throw (New-Object System.TimeoutException(('no answer within ' + $TimeoutSeconds + ' s')))
    }
    try {
        $output = $shell.EndInvoke($pending)
    }
    catch {
        # EndInvoke wraps the block's own terminating error: rethrow the error itself.
        $inner = $_.Exception
        if ($null -ne $inner.InnerException) {
            $inner = $inner.InnerException
        }
        throw $inner
    }
    finally {
        $shell.Dispose()
    }
    return @($output)
}

function Measure-RmItemSize {
    <#
    .SYNOPSIS
    Bytes in files and folders, counted only up to Limit (Limit + 1 beyond it, or when unreadable).
    #>
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$Path,
        [Parameter(Mandatory = $true)][long]$Limit
    )
    [long]$total = 0
    foreach ($p in $Path) {
        try {
            $item = Get-Item -LiteralPath $p -Force
            if (-not $item.PSIsContainer) {
                $total += $item.Length
            }
            else {
                foreach ($file in $item.EnumerateFiles('*', [System.IO.SearchOption]::AllDirectories)) {
                    $total += $file.Length
                    if ($total -gt $Limit) {
                        return ($Limit + 1)
                    }
                }
            }
        }
        catch {
            return ($Limit + 1)
        }
        if ($total -gt $Limit) {
            return ($Limit + 1)
        }
    }
    return $total
}

function Move-RmOsItem {
    <#
    .SYNOPSIS
    OS seam: moves one file or folder; throws when it cannot (e.g. a file held open by a process).
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Destination
    )
    Move-Item -LiteralPath $Path -Destination $Destination -Force
}

function Move-RmToQuarantine {
    <#
    .SYNOPSIS
    Moves files or folders into a new quarantine set with a manifest; nothing is deleted.
    #>
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$Path,
        [Parameter(Mandatory = $true)][string[]]$AllowedRoot,
        [Parameter(Mandatory = $true)][string]$Check,
        [int]$RetrySeconds = 0
    )
    foreach ($p in $Path) {
        if (-not (Test-RmPathUnder -Path $p -Root $AllowedRoot)) {
            throw ('refusing to quarantine ' + $p + ': outside the allowed roots')
        }
    }
    $set = Join-Path (Get-RmQuarantineRoot) ((Get-RmOsTime).ToString('yyyyMMddTHHmmssZ', [System.Globalization.CultureInfo]::InvariantCulture) + '-' + $Check)
    $outcome = [ordered]@{ moved = 0; failed = 0; folder = $set }
    if ($Path.Count -eq 0 -or -not $PSCmdlet.ShouldProcess(($Path -join ', '), ('move to ' + $set))) {
        return $outcome
    }
    $null = New-Item -ItemType Directory -Path $set -Force
    $manifest = New-Object System.Collections.Generic.List[string]
    $pending = @(for ($i = 0; $i -lt $Path.Count; $i++) {
            [ordered]@{ Path = $Path[$i]; Target = (Join-Path $set ([string]($i + 1) + '-' + (Split-Path -Leaf $Path[$i]))); Error = '' }
        })
    $deadline = [DateTime]::UtcNow.AddSeconds($RetrySeconds)
    while ($pending.Count -gt 0) {
        foreach ($item in $pending) {
            try {
                Move-RmOsItem -Path $item.Path -Destination $item.Target
                $manifest.Add($item.Path + "`t" + $item.Target)
                $outcome.moved += 1
                $item.Error = $null
            }
            catch {
                $item.Error = $_.Exception.Message
            }
        }
        $pending = @($pending | Where-Object { $null -ne $_.Error })
        if ($pending.Count -eq 0 -or [DateTime]::UtcNow -ge $deadline) {
            break
        }
        Start-Sleep -Milliseconds 500
    }
    foreach ($item in $pending) {
        $outcome.failed += 1
        Write-RmLog -Message ($Check + ': could not quarantine ' + $item.Path + ': ' + $item.Error)
    }
    # UTF-8 (no BOM), so that undo finds non-ASCII user folders again; ASCII would turn them into '?'.
    [System.IO.File]::WriteAllLines((Join-Path $set 'manifest.tsv'), [string[]]$manifest, (New-Object System.Text.UTF8Encoding($false)))
    Write-RmLog -Message ($Check + ': quarantined ' + $outcome.moved + ' item(s) to ' + $set)
    return $outcome
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

function Read-RmUserEvidenceFile {
    <#
    .SYNOPSIS
    The key=value pairs of one user's evidence file (written by the device package); empty when absent.
    #>
    param([Parameter(Mandatory = $true)][string]$Sid)
    $values = @{}
    $path = Join-Path (Get-RmEvidenceFolder) ($Sid + '.txt')
    if (Test-Path -LiteralPath $path) {
        foreach ($line in [System.IO.File]::ReadAllLines($path)) {
            $pair = $line -split '=', 2
            if ($pair.Count -eq 2) {
                $values[$pair[0].Trim()] = $pair[1].Trim()
            }
        }
    }
    return $values
}

function Register-RmAttempt {
    <#
    .SYNOPSIS
    Records the outcome of a fix attempt: success clears the counter, failure bumps it and sets the cooldown.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$State,
        [Parameter(Mandatory = $true)][string]$Id,
        [Parameter(Mandatory = $true)][bool]$Succeeded
    )
    $now = (Get-RmOsTime)
    $State[$Id + '.last'] = Get-RmStamp -Time $now
    if ($Succeeded) {
        Clear-RmFailure -State $State -Id $Id
        return
    }
    $failures = 1
    if ($State.ContainsKey($Id + '.failures')) {
        $failures = [int]$State[$Id + '.failures'] + 1
    }
    $minutes = [Math]::Min($RmConfig.CooldownMinutes * [Math]::Pow(2, $failures - 1), $RmConfig.CooldownMaxHours * 60)
    $State[$Id + '.failures'] = [string]$failures
    $State[$Id + '.next'] = Get-RmStamp -Time ($now.AddMinutes($minutes))
}

function Register-RmOsAppxPackage {
    <#
    .SYNOPSIS
    OS seam: re-registers a system package for the current user from its manifest (Microsoft's own fix for
    the WAM plug-in); -ForceApplicationShutdown closes the apps that use it. Throws on failure.
    #>
    param([Parameter(Mandatory = $true)][string]$Manifest)
    Add-AppxPackage -Path $Manifest -Register -DisableDevelopmentMode -ForceApplicationShutdown -ErrorAction Stop -WarningAction SilentlyContinue
}

function Remove-RmRegistryValue {
    <#
    .SYNOPSIS
    Deletes one value in the 64-bit view after saving it for rollback. Absent values are left alone.
    #>
    [OutputType([bool])]
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][string]$Check
    )
    if ($null -eq (Get-RmRegistryValue -Path $Path -Name $Name)) {
        return $false
    }
    if (-not $PSCmdlet.ShouldProcess(($Path + '\' + $Name), 'delete value')) {
        return $false
    }
    Save-RmRegistryBackup -Path $Path -Name $Name -Check $Check
    $key = Open-RmRegistryKey -Path $Path -Writable
    try {
        $key.DeleteValue($Name, $false)
    }
    finally {
        $key.Close()
    }
    Write-RmLog -Message ($Check + ': deleted ' + $Path + '\' + $Name)
    return $true
}

function Save-RmRegistryBackup {
    <#
    .SYNOPSIS
    Appends the current value (or its absence) to the check's backup file before a change.
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

function Select-RmFinding {
    <#
    .SYNOPSIS
    The finding among a check function's output: its last dictionary. Stray output (an unassigned method
    result in a fragment) would otherwise turn the finding into an array.
    #>
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Output,
        [Parameter(Mandatory = $true)][string]$Id
    )
    for ($i = $Output.Count - 1; $i -ge 0; $i--) {
        if ($Output[$i] -is [System.Collections.IDictionary] -and $Output[$i].Contains('state')) {
            return $Output[$i]
        }
    }
    return New-RmFinding -Id $Id -State 'error' -Reason 'no_finding'
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

function Set-RmRegistryValue {
    <#
    .SYNOPSIS
    Writes one value in the 64-bit view, creating the key, after saving the old value for rollback.
    #>
    [OutputType([bool])]
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][object]$Value,
        [ValidateSet('DWord', 'QWord', 'String', 'ExpandString', 'MultiString')][string]$Kind = 'DWord',
        [Parameter(Mandatory = $true)][string]$Check
    )
    if (-not $PSCmdlet.ShouldProcess(($Path + '\' + $Name), ('set to ' + $Value))) {
        return $false
    }
    Save-RmRegistryBackup -Path $Path -Name $Name -Check $Check
    $key = Open-RmRegistryKey -Path $Path -Create
    try {
        $key.SetValue($Name, $Value, [Microsoft.Win32.RegistryValueKind]$Kind)
    }
    finally {
        $key.Close()
    }
    Write-RmLog -Message ($Check + ': set ' + $Path + '\' + $Name + ' = ' + $Value)
    return $true
}

function Show-RmOsNotification {
    <#
    .SYNOPSIS
    OS seam: a toast in the user's session, else a msg.exe box to this session; whether shown. Never throws.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Title,
        [Parameter(Mandatory = $true)][string]$Text
    )
    try {
        $manager = [Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]
        $xml = $manager::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)
        $nodes = $xml.GetElementsByTagName('text')
        $null = $nodes.Item(0).AppendChild($xml.CreateTextNode($Title))
        $null = $nodes.Item(1).AppendChild($xml.CreateTextNode($Text))
        $toast = New-Object Windows.UI.Notifications.ToastNotification($xml)
        $manager::CreateToastNotifier('{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\WindowsPowerShell\v1.0\powershell.exe').Show($toast)
        return $true
    }
    catch {
        try {
            $session = [System.Diagnostics.Process]::GetCurrentProcess().SessionId
            $msg = Join-Path ([Environment]::SystemDirectory) 'msg.exe'
            $null = Start-Process -FilePath $msg -ArgumentList @([string]$session, '/TIME:120', ('"' + $Title + ': ' + $Text.Replace('"', "'") + '"')) -WindowStyle Hidden -PassThru
            return $true
        }
        catch {
            return $false
        }
    }
}

function Start-RmOsProcess {
    <#
    .SYNOPSIS
    OS seam: starts a program in the current user's session without waiting (e.g. an app again after a fix).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; the calling repair fragment asks ShouldProcess (or reads WhatIfPreference) before it calls')]
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string]$Arguments = ''
    )
    if ($Arguments) {
        $null = Start-Process -FilePath $FilePath -ArgumentList $Arguments
    }
    else {
        $null = Start-Process -FilePath $FilePath
    }
}

function Stop-RmOsProcess {
    <#
    .SYNOPSIS
    OS seam: stops processes by id and waits up to WaitSeconds for them to exit; returns the ids still running.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; the calling repair fragment asks ShouldProcess (or reads WhatIfPreference) before it calls')]
    param(
        [Parameter(Mandatory = $true)][int[]]$Id,
        [Parameter(Mandatory = $true)][int]$WaitSeconds
    )
    $targets = @(Get-Process -Id $Id -ErrorAction SilentlyContinue)
    $targets | Stop-Process -Force -ErrorAction SilentlyContinue
    $targets | Wait-Process -Timeout $WaitSeconds -ErrorAction SilentlyContinue
    return @(Get-Process -Id $Id -ErrorAction SilentlyContinue | ForEach-Object { [int]$_.Id })
}

function Test-RmBackoff {
    <#
    .SYNOPSIS
    Whether a fix may be attempted now: 'ok', 'backoff' (cooldown running) or 'needs_attention'.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$State,
        [Parameter(Mandatory = $true)][string]$Id
    )
    # Failures long past are forgotten: a fleet must not stay in needs_attention for a problem of last month.
    if ($State.ContainsKey($Id + '.last')) {
        $last = ConvertFrom-RmStamp -Text $State[$Id + '.last']
        if ($last -lt (Get-RmOsTime).AddDays(-$RmConfig.FailureExpiryDays)) {
            Clear-RmFailure -State $State -Id $Id
        }
    }
    $attempts = 0
    if ($State.ContainsKey($Id + '.failures')) {
        $attempts = [int]$State[$Id + '.failures']
    }
    if ($attempts -ge $RmConfig.MaxAttempts) {
        return 'needs_attention'
    }
    if ($State.ContainsKey($Id + '.next')) {
        $next = ConvertFrom-RmStamp -Text $State[$Id + '.next']
        if ((Get-RmOsTime) -lt $next) {
            return 'backoff'
        }
    }
    return 'ok'
}

function Test-RmCallInProgress {
    <#
    .SYNOPSIS
    'call' when an app matching AppMatch holds the microphone or camera now, else 'stale' or 'none'.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$ConsentStore,
        [Parameter(Mandatory = $true)][string[]]$Devices,
        [Parameter(Mandatory = $true)][string]$AppMatch,
        [Parameter(Mandatory = $true)][int]$StaleHours
    )
    $answer = 'none'
    $now = Get-RmOsTime
    foreach ($device in $Devices) {
        $base = $ConsentStore + '\' + $device
        $paths = @(Get-RmRegistrySubKeyName -Path $base | ForEach-Object { $base + '\' + $_ })
        $paths += @(Get-RmRegistrySubKeyName -Path ($base + '\NonPackaged') | ForEach-Object { $base + '\NonPackaged\' + $_ })
        foreach ($path in @($paths | Where-Object { $_ -match $AppMatch })) {
            $start = Get-RmRegistryValue -Path $path -Name 'LastUsedTimeStart'
            $stop = Get-RmRegistryValue -Path $path -Name 'LastUsedTimeStop'
            if ($null -eq $start -or [long]$start -eq 0 -or $null -eq $stop -or [long]$stop -ne 0) {
                continue
            }
            $age = $null
            try {
                $age = ($now - [DateTime]::FromFileTimeUtc([long]$start)).TotalHours
            }
            catch {
                $age = $null
            }
            if ($null -ne $age -and [Math]::Abs($age) -lt $StaleHours) {
                return 'call'
            }
            $answer = 'stale'
        }
    }
    return $answer
}

function Test-RmDoneWithin {
    <#
    .SYNOPSIS
    Whether the state stamp under Key lies less than Hours ago (a disruptive fix at most once per period).
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$State,
        [Parameter(Mandatory = $true)][string]$Key,
        [Parameter(Mandatory = $true)][int]$Hours
    )
    if (-not $State.Contains($Key)) {
        return $false
    }
    $when = ConvertFrom-RmEvidenceStamp -Text ([string]$State[$Key])
    return ($null -ne $when -and $when -gt (Get-RmOsTime).AddHours(-$Hours))
}

function Test-RmFindingOpen {
    <#
    .SYNOPSIS
    Whether a finding leaves a problem in place: it counts in 'failing' and, when skipped, in the verdict.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding)
    if (@('pass', 'fixed', 'advisory') -contains $Finding.state) {
        return $false
    }
    if ($Finding.state -eq 'skipped') {
        return ($RmSchema.OpenReasons -contains $Finding.reason)
    }
    return $true
}

function Test-RmPathUnder {
    <#
    .SYNOPSIS
    Whether a path lies strictly below one of the given roots (full paths, case-insensitive).
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string[]]$Root
    )
    $separator = [System.IO.Path]::DirectorySeparatorChar
    $full = [System.IO.Path]::GetFullPath($Path).TrimEnd($separator)
    foreach ($r in $Root) {
        $prefix = [System.IO.Path]::GetFullPath($r).TrimEnd($separator) + $separator
        if ($full.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $true
        }
    }
    return $false
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
# ---- checks ----
function Test-RmTls12User {
    <#
    .SYNOPSIS
    Detection for check tls12_user: TLS 1.2 enabled in the user's Internet Settings (SecureProtocols).
    .DESCRIPTION
    Signal: user SecureProtocols (DWORD) without bit 0x800 and no SecureProtocols policy value (HKCU/HKLM); a policy value without 0x800 is advisory; absent = OS default
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Desired = $Check.Desired
    # A policy value overrides the user's own (HKLM/HKCU policy keys win): with any policy present we only report.
    $facts = [ordered]@{}
    $policyBlocks = $false
    $policyPresent = $false
    foreach ($source in $Desired.Policies) {
        $policy = Get-RmRegistryValue -Path $source.Path -Name $Desired.Name
        if ($null -eq $policy) {
            continue
        }
        $policyPresent = $true
        if ($policy -isnot [int]) {
            $facts[('policy_' + $source.Label)] = 'not_dword'
            $policyBlocks = $true
            continue
        }
        $facts[('policy_' + $source.Label)] = ('0x{0:X}' -f $policy)
        if (($policy -band $Desired.Bit) -eq 0) {
            $policyBlocks = $true
        }
    }
    $value = Get-RmRegistryValue -Path $Desired.Path -Name $Desired.Name
    if ($null -ne $value) {
        if ($value -is [int]) {
            $facts['user_secureprotocols'] = ('0x{0:X}' -f $value)
        }
        else {
            $facts['user_secureprotocols'] = 'not_dword'
        }
    }
    if ($policyBlocks) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'policy_without_tls12' -Facts $facts
    }
    if ($policyPresent) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'policy_enables_tls12' -Facts $facts
    }
    if ($null -eq $value) {
        # Absent = the operating system default.
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'os_default' -Facts $facts
    }
    if ($value -isnot [int]) {
        # Not the DWORD that Internet Settings stores: an unknown writer; report rather than overwrite.
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'unexpected_value_kind' -Facts $facts
    }
    if (($value -band $Desired.Bit) -ne 0) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'tls12_enabled' -Facts $facts
    }
    # Add only the TLS 1.2 bit; every other protocol bit stays as the user (or a tool) left it.
    $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason 'user_without_tls12' -Facts $facts
    $finding['plan'] = [ordered]@{ Path = $Desired.Path; Name = $Desired.Name; Value = [int]($value -bor $Desired.Bit) }
    return $finding
}

function Repair-RmTls12User {
    <#
    .SYNOPSIS
    Remediation for check tls12_user (safe).
    .DESCRIPTION
    Fix: add bit 0x800 to the user's SecureProtocols keeping every other bit
    Backup: old value in %LOCALAPPDATA%\remediate\backup\tls12_user.tsv
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmRepairStep calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    # Apply the plan the detection made; Set-RmRegistryValue saves the old value to the backup file first.
    $item = $Finding.plan
    $changed = Set-RmRegistryValue -Path $item.Path -Name $item.Name -Value $item.Value -Kind 'DWord' -Check $Check.Id
    $facts = [ordered]@{ changed = [bool]$changed; value = ('0x{0:X}' -f $item.Value) }
    if ($WhatIfPreference) {
        $facts['would_set'] = ($item.Path + '\' + $item.Name + '=' + ('0x{0:X}' -f $item.Value))
    }
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
}

function Test-RmUserProxy {
    <#
    .SYNOPSIS
    Detection for check user_proxy: No stale loopback proxy in the user's Internet Settings.
    .DESCRIPTION
    Signal: ProxyEnable=1 with every ProxyServer entry on loopback and no TCP listener there (leftover sniffer); a real proxy, PAC, a listening loopback proxy or per-machine settings are advisory
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # 1. What the user's Internet Settings say (facts are shortened: the result line holds 2,048 characters).
    $values = [ordered]@{}
    foreach ($name in $Desired.Names) {
        $values[$name] = Get-RmRegistryValue -Path $Desired.Path -Name $name
    }
    $enable = $values[$Desired.EnableName]
    $server = [string]$values[$Desired.ServerName]
    $pac = [string]$values[$Desired.PacName]
    $enabled = ($enable -is [int]) -and ($enable -ne 0)
    $facts = [ordered]@{ proxy_enable = $enable }
    if ($server) {
        $facts['proxy_server'] = $server.Substring(0, [Math]::Min($server.Length, $Desired.MaxFactChars))
    }
    if ($pac) {
        $facts['pac_url'] = $pac.Substring(0, [Math]::Min($pac.Length, $Desired.MaxFactChars))
    }
    if ($null -ne $values[$Desired.AutoDetectName]) {
        $facts['auto_detect'] = $values[$Desired.AutoDetectName]
    }
    $blob = Get-RmRegistryValue -Path $Desired.ConnectionsPath -Name $Desired.ConnectionsName
    if ($blob -is [byte[]] -and $blob.Length -gt $Desired.FlagsOffset) {
        $facts['conn_flags'] = ('0x{0:X2}' -f $blob[$Desired.FlagsOffset])
    }
    $perUser = Get-RmRegistryValue -Path $Desired.PerMachinePath -Name $Desired.PerMachineName
    if (($perUser -is [int]) -and ($perUser -eq 0)) {
        # A machine policy makes proxy settings per-machine: the user's values are not the ones in use.
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'per_machine_proxy_settings' -Facts $facts
    }
    if (-not $enabled) {
        if ($pac) {
            return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'pac_configured' -Facts $facts
        }
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_manual_proxy' -Facts $facts
    }
    # 2. Parse ProxyServer: 'host:port', 'scheme://host:port' or 'http=host:port;https=host:port'.
    $targets = New-Object System.Collections.Generic.List[object]
    $foreign = 0
    foreach ($entry in ($server -split ';')) {
        $text = $entry.Trim()
        if (-not $text) {
            continue
        }
        $text = $text -replace $Desired.ProtocolPrefix, ''
        $text = ($text -replace $Desired.SchemePrefix, '').TrimEnd('/')
        $match = [regex]::Match($text, $Desired.EndpointPattern)
        if (-not $match.Success) {
            $foreign += 1
            continue
        }
        $hostName = $match.Groups['host'].Value.ToLowerInvariant()
        $port = $Desired.DefaultPort
        if ($match.Groups['port'].Success) {
            $port = [int]$match.Groups['port'].Value
        }
        if ($hostName -notmatch $Desired.LoopbackPattern -or $port -lt 1 -or $port -gt 65535) {
            $foreign += 1
            continue
        }
        $addresses = @($hostName.Trim('[', ']'))
        if ($hostName -eq 'localhost') {
            $addresses = $Desired.LocalhostAddresses
        }
        if (@($targets | Where-Object { $_.Host -eq $hostName -and $_.Port -eq $port }).Count -gt 0) {
            continue
        }
        $targets.Add([ordered]@{ Host = $hostName; Port = $port; Addresses = $addresses; Status = 'closed' })
    }
    if ($targets.Count -eq 0 -and $foreign -eq 0) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'proxy_enabled_without_server' -Facts $facts
    }
    if ($foreign -gt 0) {
        # A real (or unparsable) proxy is never touched: only reported.
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'proxy_configured' -Facts $facts
    }
    if ($targets.Count -gt $Desired.MaxEndpoints) {
        # Each probe costs up to the connect timeout; more endpoints than that do not fit the time budget.
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'loopback_proxy_unverified' -Facts $facts
    }
    # 3. Is anything listening on the loopback endpoint(s)? A refused connect means nothing is; so does a timeout,
    # since a local listener accepts at once (a refused connect is not always reported within the timeout).
    foreach ($target in $targets) {
        foreach ($address in $target.Addresses) {
            $client = $null
            $status = 'closed'
            try {
                $ip = [System.Net.IPAddress]::Parse($address)
                $client = New-Object -TypeName System.Net.Sockets.TcpClient -ArgumentList $ip.AddressFamily
                $pending = $client.BeginConnect($ip, [int]$target.Port, $null, $null)
                if ($pending.AsyncWaitHandle.WaitOne([int]$Options.connect_timeout_ms, $false)) {
                    $client.EndConnect($pending)
                    $status = 'listening'
                }
            }
            catch {
                $inner = $_.Exception
                while ($null -ne $inner.InnerException) {
                    $inner = $inner.InnerException
                }
                $status = 'unknown'
                if ($inner -is [System.Net.Sockets.SocketException] -and $inner.SocketErrorCode -eq [System.Net.Sockets.SocketError]::ConnectionRefused) {
                    $status = 'closed'
                }
            }
            finally {
                if ($null -ne $client) {
                    $client.Close()
                }
            }
            if ($status -eq 'listening' -or ($status -eq 'unknown' -and $target.Status -eq 'closed')) {
                $target.Status = $status
            }
        }
    }
    $states = @($targets | ForEach-Object { $_.Status })
    $facts['loopback'] = @($targets | ForEach-Object { $_.Host + ':' + $_.Port + '=' + $_.Status })
    if ($states -contains 'listening') {
        # Something (a local agent or a running sniffer) answers there: the user's choice, not a leftover.
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'loopback_proxy_listening' -Facts $facts
    }
    if ($states -contains 'unknown') {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'loopback_proxy_unverified' -Facts $facts
    }
    $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason 'stale_loopback_proxy' -Facts $facts
    $finding['plan'] = [ordered]@{ Path = $Desired.Path; Name = $Desired.EnableName; Value = $Desired.DisabledValue }
    return $finding
}

function Repair-RmUserProxy {
    <#
    .SYNOPSIS
    Remediation for check user_proxy (opt-in).
    .DESCRIPTION
    Fix: set ProxyEnable=0, ProxyServer kept (opt-in: fix = true)
    Backup: old ProxyEnable in %LOCALAPPDATA%\remediate\backup\user_proxy.tsv
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmRepairStep calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    # Turn the stale loopback proxy off: ProxyEnable only. ProxyServer stays as it was, so undo is one value.
    $item = $Finding.plan
    $changed = Set-RmRegistryValue -Path $item.Path -Name $item.Name -Value $item.Value -Kind 'DWord' -Check $Check.Id
    $facts = [ordered]@{ changed = [bool]$changed; proxy_server_kept = $true }
    if ($WhatIfPreference) {
        $facts['would_set'] = ($item.Path + '\' + $item.Name + '=' + $item.Value)
    }
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
}

function Test-RmOfficeIdentityOverride {
    <#
    .SYNOPSIS
    Detection for check office_identity_overrides: No unsupported Office identity overrides (EnableADAL, DisableADALatopWAMOverride, DisableAADWAM).
    .DESCRIPTION
    Signal: Office 16.0 Common\Identity EnableADAL=0, DisableADALatopWAMOverride=1 or DisableAADWAM=1 (DWORD) in HKCU; the same value set by the Office policy key is advisory
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Desired = $Check.Desired
    # Values Microsoft calls "not supported": removed when the user's own key holds them, reported when a policy does.
    $facts = [ordered]@{}
    $plan = New-Object System.Collections.Generic.List[object]
    $byPolicy = New-Object System.Collections.Generic.List[string]
    foreach ($rule in $Desired.Values) {
        $value = Get-RmRegistryValue -Path $Desired.Path -Name $rule.Name
        $policy = Get-RmRegistryValue -Path $Desired.PolicyPath -Name $rule.Name
        $userBad = ($value -is [int]) -and ($value -eq $rule.Bad)
        $policyBad = ($policy -is [int]) -and ($policy -eq $rule.Bad)
        if ($policyBad) {
            $byPolicy.Add($rule.Name)
        }
        if ($null -ne $value -and $value -isnot [int]) {
            # Only the DWORD form is the documented override; another kind is reported, not touched.
            $facts[($rule.Name + '_kind')] = $value.GetType().Name
        }
        if ($userBad -and -not $policyBad) {
            $plan.Add([ordered]@{ Path = $Desired.Path; Name = $rule.Name })
        }
    }
    if ($byPolicy.Count -gt 0) {
        $facts['set_by_policy'] = $byPolicy.ToArray()
    }
    if ($plan.Count -gt 0) {
        $facts['overrides'] = @($plan | ForEach-Object { $_.Name })
        $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason 'unsupported_identity_override' -Facts $facts
        $finding['plan'] = $plan.ToArray()
        return $finding
    }
    if ($byPolicy.Count -gt 0) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'override_set_by_policy' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_overrides' -Facts $facts
}

function Repair-RmOfficeIdentityOverride {
    <#
    .SYNOPSIS
    Remediation for check office_identity_overrides (safe).
    .DESCRIPTION
    Fix: delete those values from the user's Identity key (never sets them)
    Backup: deleted values in %LOCALAPPDATA%\remediate\backup\office_identity_overrides.tsv
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmRepairStep calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    # Remove exactly the values the detection found; Remove-RmRegistryValue saves each one to the backup file first.
    # Nothing is ever set here: the fix is the absence of the override.
    $removed = 0
    foreach ($item in @($Finding.plan)) {
        if (Remove-RmRegistryValue -Path $item.Path -Name $item.Name -Check $Check.Id) {
            $removed += 1
        }
    }
    $facts = [ordered]@{ removed = $removed }
    if ($WhatIfPreference) {
        $facts['would_remove'] = @($Finding.plan | ForEach-Object { $_.Name })
    }
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
}

function Test-RmWamBroker {
    <#
    .SYNOPSIS
    Detection for check wam_broker: WAM plug-ins (AAD BrokerPlugin, CloudExperienceHost) registered for the user.
    .DESCRIPTION
    Signal: BrokerPlugin / CloudExperienceHost not registered for the user or Status not Ok; AppModel-State events naming the broker logged for this user's SID since the window start or the last registration; a missing SystemApps manifest is advisory
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # 1. Are the WAM packages registered for this user, and healthy?
    $facts = [ordered]@{}
    $plan = New-Object System.Collections.Generic.List[object]
    $unfixable = New-Object System.Collections.Generic.List[string]
    $manifests = @{}
    foreach ($package in $Desired.Packages) {
        $manifests[$package.Label] = Join-Path $env:windir ($Desired.SystemApps + '\' + $package.Folder + '\' + $Desired.Manifest)
        try {
            $installed = @(Get-RmOsAppxPackage -Name $package.Name)
        }
        catch {
            $message = $_.Exception.Message
            $facts['appx_error'] = $message.Substring(0, [Math]::Min($message.Length, $Desired.MaxFactChars))
            return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'appx_unavailable' -Facts $facts
        }
        $problem = ''
        if ($installed.Count -eq 0) {
            $problem = 'not_registered'
        }
        elseif ([string]$installed[0].Status -and [string]$installed[0].Status -ne $Desired.OkStatus) {
            $problem = 'status_' + [string]$installed[0].Status
        }
        $facts[$package.Label] = 'ok'
        if ($problem) {
            $facts[$package.Label] = $problem
            $plan.Add([ordered]@{ Label = $package.Label; Manifest = $manifests[$package.Label]; Problem = $problem })
        }
    }
    # 2. AppModel-State repair events naming the broker since the window start or our last registration,
    # whichever is later. Only events logged for this user's SID count (the event's Security UserID): another
    # user's broken broker, or an event without a user, is no reason to close this user's apps.
    if ($Options.check_events) {
        $since = (Get-RmOsTime).AddHours(-[int]$Options.event_window_hours)
        if ($Run.State.ContainsKey($Desired.StateKey)) {
            $registered = ConvertFrom-RmStamp -Text $Run.State[$Desired.StateKey]
            if ($registered -gt $since) {
                $since = $registered
            }
        }
        $read = Get-RmOsEvent -LogName $Desired.EventLog -ProviderName $Desired.EventProvider -Since $since -MaxEvents ([int]$Options.max_events)
        if ($read.Status -ne 'ok') {
            $facts['events'] = 'unreadable'
        }
        $mine = @($read.Records | Where-Object { $_.UserSid -eq $Run.Context.Sid -and ($_.Data -join "`n").IndexOf($Desired.EventMatch, [System.StringComparison]::OrdinalIgnoreCase) -ge 0 })
        if ($mine.Count -gt 0) {
            $facts['state_repair_events'] = $mine.Count
            if (@($plan | Where-Object { $_.Label -eq $Desired.EventLabel }).Count -eq 0) {
                $plan.Add([ordered]@{ Label = $Desired.EventLabel; Manifest = $manifests[$Desired.EventLabel]; Problem = 'state_repair_events' })
            }
        }
    }
    # 3. Only what can be re-registered from the Windows image is a 'fail'; a missing manifest is advisory.
    $fixable = @($plan | Where-Object { Test-Path -LiteralPath $_.Manifest -PathType Leaf })
    foreach ($item in @($plan | Where-Object { $fixable -notcontains $_ })) {
        $unfixable.Add($item.Label)
    }
    if ($unfixable.Count -gt 0) {
        $facts['manifest_missing'] = $unfixable.ToArray()
    }
    if ($fixable.Count -gt 0) {
        $problems = @($fixable | ForEach-Object { $_.Problem })
        $reason = 'broker_state_repair_events'
        if ($problems -contains 'not_registered') {
            $reason = 'package_not_registered'
        }
        elseif (@($problems | Where-Object { $_ -like 'status_*' }).Count -gt 0) {
            $reason = 'package_status_not_ok'
        }
        $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason $reason -Facts $facts
        $finding['plan'] = $fixable
        return $finding
    }
    if ($unfixable.Count -gt 0) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'manifest_missing' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'broker_registered' -Facts $facts
}

function Repair-RmWamBroker {
    <#
    .SYNOPSIS
    Remediation for check wam_broker (safe).
    .DESCRIPTION
    Fix: Add-AppxPackage -Register <SystemApps manifest> -DisableDevelopmentMode -ForceApplicationShutdown, as the user (Microsoft's remediation; closes this user's apps holding the package), never during a call (microphone or camera in use: deferred)
    Backup: nothing to back up: the packages are re-registered from the Windows image
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    $Desired = $Check.Desired
    # Microsoft's own remediation, in the user's context: re-register each package from its manifest in the
    # Windows image. -ForceApplicationShutdown closes this user's apps that hold the package: never during a call.
    $call = Test-RmCallInProgress -ConsentStore $Desired.ConsentStore -Devices $Desired.CallDevices -AppMatch $Desired.CallAppMatch -StaleHours $Desired.CallStaleHours
    if ($call -eq 'call') {
        $facts = [ordered]@{ retry = 'next run' }
        return New-RmFinding -Id $Check.Id -State 'deferred' -Reason 'call_in_progress' -Facts $facts
    }
    $registered = 0
    $errors = New-Object System.Collections.Generic.List[string]
    foreach ($item in @($Finding.plan)) {
        if (-not $PSCmdlet.ShouldProcess($item.Manifest, 'Add-AppxPackage -Register')) {
            continue
        }
        try {
            Register-RmOsAppxPackage -Manifest $item.Manifest
            $registered += 1
            Write-RmLog -Message ($Check.Id + ': registered ' + $item.Manifest)
        }
        catch {
            $message = $_.Exception.Message
            $errors.Add($item.Label + ': ' + $message.Substring(0, [Math]::Min($message.Length, $Desired.MaxFactChars)))
        }
    }
    $facts = [ordered]@{ registered = $registered }
    if ($WhatIfPreference) {
        $facts['would_register'] = @($Finding.plan | ForEach-Object { $_.Label })
        return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
    }
    if ($registered -gt 0) {
        # Events logged before this moment are answered; the next detection looks only at newer ones.
        $Run.State[$Desired.StateKey] = Get-RmStamp
    }
    if ($errors.Count -gt 0) {
        $facts['errors'] = $errors.ToArray()
        return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'register_failed' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
}

function Test-RmTeamsCache {
    <#
    .SYNOPSIS
    Detection for check teams_cache: Teams cache cleared when this user's sign-in is failing.
    .DESCRIPTION
    Signal: a recent failure of this user with a code that implicates cached tokens (option codes; device package evidence), newer than the last clear and the last attempt (min_hours_between_clears), and a Teams cache present, not above max_cache_mb
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # 1. Which Teams caches exist for this user, with something in them to clear.
    $caches = New-Object System.Collections.Generic.List[object]
    foreach ($cache in $Desired.Caches) {
        $root = Join-Path ([Environment]::GetEnvironmentVariable($cache.Base)) $cache.Path
        if (Test-Path -LiteralPath $root -PathType Container) {
            $items = @(Get-ChildItem -LiteralPath $root -Force | Where-Object { $Desired.Keep -notcontains $_.Name } | ForEach-Object { $_.FullName })
            if ($items.Count -gt 0) {
                $caches.Add([ordered]@{ Kind = $cache.Kind; Root = $root; Process = $cache.Process; Items = $items; StartBase = $cache.StartBase; StartPath = $cache.StartPath; StartArguments = $cache.StartArguments })
            }
        }
    }
    $facts = [ordered]@{ caches = @($caches | ForEach-Object { $_.Kind }) }
    if ($caches.Count -eq 0) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_teams_cache' -Facts $facts
    }
    # 2. Evidence: a recent failure of this user whose code implicates cached tokens (never routine noise).
    $evidence = Get-RmUserEvidence -WindowHours ([int]$Options.window_hours) -Mode $Options.evidence_mode -Sid $Run.Context.Sid -Gate $Desired.Gate
    $facts['evidence'] = $evidence.source
    if (-not $evidence.found) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_evidence' -Facts $facts
    }
    $facts['codes'] = $evidence.codes
    # 3. Already cleared after the newest evidence: nothing to do (avoids clearing on every scheduled run).
    if ($Run.State.ContainsKey($Desired.ClearedKey)) {
        $cleared = ConvertFrom-RmEvidenceStamp -Text $Run.State[$Desired.ClearedKey]
        $facts['cleared'] = $Run.State[$Desired.ClearedKey]
        if ($null -ne $cleared -and ($cleared -ge $evidence.last -or ($Options.evidence_mode -eq 'always' -and $cleared -ge (Get-RmOsTime).AddHours(-[int]$Options.window_hours)))) {
            return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'cleared_since_evidence' -Facts $facts
        }
    }
    # 4. Closing Teams is a disruption: at most once per period per user, whatever the evidence says.
    if (Test-RmDoneWithin -State $Run.State -Key $Desired.AttemptKey -Hours ([int]$Options.min_hours_between_clears)) {
        $facts['last_attempt'] = $Run.State[$Desired.AttemptKey]
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'cleared_recently' -Facts $facts
    }
    # 5. A cache above the cap is not moved: the quarantine keeps it for days on the user's disk.
    $all = [string[]]@($caches | ForEach-Object { $_.Items })
    $cap = [long]$Options.max_cache_mb * 1MB
    if ((Measure-RmItemSize -Path $all -Limit $cap) -gt $cap) {
        $facts['max_cache_mb'] = [int]$Options.max_cache_mb
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'cache_too_large' -Facts $facts
    }
    $facts['items'] = $all.Count
    $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason 'signin_failing_with_cache' -Facts $facts
    $finding['plan'] = $caches.ToArray()
    return $finding
}

function Repair-RmTeamsCache {
    <#
    .SYNOPSIS
    Remediation for check teams_cache (safe).
    .DESCRIPTION
    Fix: unless in a call: notify the user, stop this user's Teams, quarantine the cache (except Backgrounds and Logs), retrying files WebView2 still holds, start Teams again
    Backup: cache contents moved to %LOCALAPPDATA%\remediate\quarantine\<time>-teams_cache (manifest.tsv)
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # Never interrupt a call: Teams holding the microphone or camera right now means defer.
    $call = Test-RmCallInProgress -ConsentStore $Desired.ConsentStore -Devices $Desired.Devices -AppMatch $Desired.AppMatch -StaleHours ([int]$Options.call_stale_hours)
    if ($call -eq 'call') {
        return New-RmFinding -Id $Check.Id -State 'deferred' -Reason 'call_in_progress' -Facts ([ordered]@{ retry = 'next run' })
    }
    $facts = [ordered]@{ moved = 0; failed = 0 }
    if ($call -eq 'stale') {
        $facts['call_flags'] = 'stale'
    }
    if ($WhatIfPreference) {
        $facts['would_move'] = @($Finding.plan | ForEach-Object { $_.Items.Count } | Measure-Object -Sum).Sum
        return New-RmFinding -Id $Check.Id -State 'fixed' -Reason 'cache_quarantined' -Facts $facts
    }
    # The user is told before anything closes; the attempt counts against the period even if it fails.
    $facts['notified'] = [bool](Show-RmOsNotification -Title $Desired.Notice.Title -Text $Desired.Notice.Text)
    $Run.State[$Desired.AttemptKey] = Get-RmStamp
    $session = $Run.Context.SessionId
    $restarted = 0
    foreach ($cache in @($Finding.plan)) {
        # Only this user's Teams (same session); other users' processes are not ours to stop.
        $running = @(Get-RmOsProcess -Name $cache.Process | Where-Object { $_.SessionId -eq $session })
        if ($running.Count -gt 0) {
            $null = Stop-RmOsProcess -Id @($running | ForEach-Object { $_.Id }) -WaitSeconds ([int]$Options.stop_wait_seconds)
        }
        # WebView2 children keep EBWebView files open for a moment after ms-teams exits: retry, never kill them
        # (other apps' WebView2 processes look the same).
        $outcome = Move-RmToQuarantine -Path ([string[]]$cache.Items) -AllowedRoot @($cache.Root) -Check $Check.Id -RetrySeconds ([int]$Options.stop_wait_seconds)
        $facts.moved += $outcome.moved
        $facts.failed += $outcome.failed
        if ($running.Count -gt 0) {
            try {
                Start-RmOsProcess -FilePath (Join-Path ([Environment]::GetEnvironmentVariable($cache.StartBase)) $cache.StartPath) -Arguments $cache.StartArguments
                $restarted += 1
            }
            catch {
                Write-RmLog -Message ($Check.Id + ': could not start Teams again: ' + $_.Exception.Message)
            }
        }
    }
    $facts['restarted'] = $restarted
    if ($facts.failed -gt 0) {
        return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'items_locked' -Facts $facts
    }
    $Run.State[$Desired.ClearedKey] = Get-RmStamp
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason 'cache_quarantined' -Facts $facts
}

function Test-RmPrtState {
    <#
    .SYNOPSIS
    Detection for check prt_state: Primary Refresh Token present and recent for the user.
    .DESCRIPTION
    Signal: dsregcmd /status as the user, AzureAdJoined YES, the user in Entra ID (IsUserAzureAD, an S-1-12-1 SID; local and non-synced accounts do not apply): AzureAdPrt NO or AzureAdPrtUpdateTime older than max_prt_age_hours (unknown time format = fact); PRT diagnostics as facts; no Entra join (registry JoinInfo or dsregcmd) = not_joined
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # 1. No Entra join in the registry (readable by users, culture-free): no PRT is expected, and dsregcmd, whose
    # pre-join diagnostics take well over 10 s on domain-only devices, need not run at all.
    $facts = [ordered]@{}
    try {
        $joins = @(Get-RmRegistrySubKeyName -Path $Desired.DeviceJoinInfo)
    }
    catch {
        $joins = $null
    }
    if ($null -ne $joins -and $joins.Count -eq 0) {
        $facts['join'] = 'none'
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'not_joined' -Facts $facts
    }
    # 2. dsregcmd /status as the signed-in user: its user and SSO parts are valid only in this context. One run of
    # the package reads it once: the verification after /refreshprt would see the same PRT (it updates later).
    $exe = Join-Path $env:windir $Desired.Program
    if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) {
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'dsregcmd_missing' -Facts $facts
    }
    if ($Run.Contains($Desired.CacheKey)) {
        $output = [string]$Run[$Desired.CacheKey]
    }
    else {
        $status = Invoke-RmNative -FilePath $exe -Arguments $Desired.StatusArguments -TimeoutSeconds $Desired.StatusTimeoutSeconds
        if ($status.TimedOut -or -not $status.Started -or $status.ExitCode -ne 0) {
            $facts['exit_code'] = $status.ExitCode
            $facts['timed_out'] = $status.TimedOut
            return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'dsregcmd_failed' -Facts $facts
        }
        $output = [string]$status.Output
        $Run[$Desired.CacheKey] = $output
    }
    $values = ConvertFrom-RmColonList -Text $output
    if (-not $values.ContainsKey($Desired.AadJoinedField) -and -not $values.ContainsKey($Desired.DomainJoinedField)) {
        # Not the output this check knows how to read: report, never act on a guess.
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'status_unreadable' -Facts $facts
    }
    $aadJoined = ([string]$values[$Desired.AadJoinedField]) -eq $Desired.Yes
    $domainJoined = ([string]$values[$Desired.DomainJoinedField]) -eq $Desired.Yes
    $facts['join'] = 'none'
    if ($aadJoined -and $domainJoined) {
        $facts['join'] = 'hybrid'
    }
    elseif ($aadJoined) {
        $facts['join'] = 'entra'
    }
    elseif ($domainJoined) {
        $facts['join'] = 'domain_only'
    }
    if (-not $aadJoined) {
        # No Entra join (hybrid included): no Primary Refresh Token is expected for this user.
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'not_joined' -Facts $facts
    }
    # 3. Whose PRT: only users present in Entra ID (cloud or synced) have one. dsregcmd says so itself
    # (IsUserAzureAD) where its layout has the field; else an Entra user's SID starts with S-1-12-1, and a local
    # account's domain is the computer itself. A domain user of an older layout stays unverified.
    $inEntra = [string]$values[$Desired.UserInEntraField]
    $identity = 'unverified'
    if ($inEntra -eq $Desired.Yes -or ([string]$Run.Context.Sid).StartsWith($Desired.EntraUserSidPrefix)) {
        $identity = 'entra'
    }
    elseif ($inEntra -eq $Desired.No) {
        $identity = 'not_in_entra'
    }
    elseif (-not $domainJoined -or ($env:USERDOMAIN -and $env:USERDOMAIN -eq $env:COMPUTERNAME)) {
        # On an Entra-only device every non-Entra user is a local account (or a Microsoft account).
        $identity = 'local_account'
    }
    $facts['identity'] = $identity
    if (@('not_in_entra', 'local_account') -contains $identity) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'not_applicable' -Facts $facts
    }
    # 4. The PRT: missing, or older than the threshold. An update time in an unknown format is a fact, not a failure.
    $prt = [string]$values[$Desired.PrtField]
    $facts['azure_ad_prt'] = $prt
    $problem = ''
    $updated = $null
    if ($prt -eq $Desired.No -and $identity -eq 'unverified') {
        # A domain user who may not be synced to Entra ID: a missing PRT is then normal; reported, never fixed.
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'prt_missing_identity_unverified' -Facts $facts
    }
    if ($prt -eq $Desired.No) {
        $problem = 'prt_missing'
    }
    elseif ($prt -eq $Desired.Yes) {
        $raw = [string]$values[$Desired.PrtUpdateField]
        $match = [regex]::Match($raw, $Desired.TimePattern)
        if ($match.Success) {
            try {
                $parts = @(1..6 | ForEach-Object { [int]$match.Groups[$_].Value })
                $updated = New-Object -TypeName System.DateTime -ArgumentList @($parts[0], $parts[1], $parts[2], $parts[3], $parts[4], $parts[5], [System.DateTimeKind]::Utc)
            }
            catch {
                $updated = $null
            }
        }
        if ($null -eq $updated) {
            $facts['prt_update_time'] = $raw.Substring(0, [Math]::Min($raw.Length, $Desired.MaxFactChars))
        }
        else {
            $age = ((Get-RmOsTime) - $updated).TotalHours
            $facts['prt_age_hours'] = [Math]::Round($age, 1)
            if ($age -gt [double]$Options.max_prt_age_hours) {
                $problem = 'prt_stale'
            }
        }
    }
    else {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'prt_state_unknown' -Facts $facts
    }
    if (-not $problem) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'prt_current' -Facts $facts
    }
    foreach ($field in $Desired.DiagnosticFields) {
        $text = [string]$values[$field.Name]
        if ($text) {
            $facts[$field.Fact] = $text.Substring(0, [Math]::Min($text.Length, $Desired.MaxFactChars))
        }
    }
    # 5. A refresh we requested that the PRT has not answered yet: pending for a while, then advisory until the
    # retry interval ends (so a refresh that cannot help is not repeated on every run).
    if ($Run.State.ContainsKey($Desired.StateKey)) {
        $refreshed = ConvertFrom-RmStamp -Text $Run.State[$Desired.StateKey]
        if ($null -eq $updated -or $updated -lt $refreshed) {
            $facts['refreshed'] = $Run.State[$Desired.StateKey]
            $since = (Get-RmOsTime) - $refreshed
            if ($since.TotalMinutes -lt [int]$Options.settle_minutes) {
                return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'refresh_pending' -Facts $facts
            }
            if ($since.TotalHours -lt [int]$Options.retry_hours) {
                return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'refresh_did_not_help' -Facts $facts
            }
        }
    }
    return New-RmFinding -Id $Check.Id -State 'fail' -Reason $problem -Facts $facts
}

function Repair-RmPrtState {
    <#
    .SYNOPSIS
    Remediation for check prt_state (safe).
    .DESCRIPTION
    Fix: dsregcmd /refreshprt; then refresh_pending for settle_minutes, refresh_did_not_help (advisory) until retry_hours
    Backup: nothing to back up: the refresh changes no local setting
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    $Desired = $Check.Desired
    # Ask Windows to refresh this user's PRT. It only schedules the refresh (it prints "PRT refresh scheduled"),
    # so success here is its exit code; the detection treats the next minutes as pending (settle_minutes).
    $exe = Join-Path $env:windir $Desired.Program
    $facts = [ordered]@{}
    if (-not $PSCmdlet.ShouldProcess($exe, $Desired.RefreshArguments)) {
        $facts['would_run'] = ('dsregcmd ' + $Desired.RefreshArguments)
        return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
    }
    $outcome = Invoke-RmNative -FilePath $exe -Arguments $Desired.RefreshArguments -TimeoutSeconds $Desired.RefreshTimeoutSeconds
    $line = @(([string]$outcome.Output + "`n" + [string]$outcome.Error) -split "`r?`n" | ForEach-Object { $_.Trim() } | Where-Object { $_ }) | Select-Object -First 1
    $facts['exit_code'] = $outcome.ExitCode
    if ($line) {
        $facts['output'] = $line.Substring(0, [Math]::Min($line.Length, $Desired.MaxFactChars))
    }
    if ($outcome.TimedOut -or -not $outcome.Started -or $outcome.ExitCode -ne 0) {
        $facts['timed_out'] = $outcome.TimedOut
        return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'refresh_failed' -Facts $facts
    }
    $Run.State[$Desired.StateKey] = Get-RmStamp
    Write-RmLog -Message ($Check.Id + ': dsregcmd ' + $Desired.RefreshArguments + ' exit 0')
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
}

function Test-RmOfficeCredential {
    <#
    .SYNOPSIS
    Detection for check office_credentials: Stale Office and classic Teams credentials removed when this user's sign-in is failing.
    .DESCRIPTION
    Signal: a recent sign-in failure of this user with a code that implicates cached tokens (option codes; routine interaction_required and the 0xCAA5001C wrapper never count) and Credential Manager targets MicrosoftOffice16_Data:* or msteams_adalsso/* (cmdkey /list; option targets), not already removed for the same evidence
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # 1. Evidence first: without a failure that implicates cached tokens there is nothing to clear (no cmdkey run).
    $evidence = Get-RmUserEvidence -WindowHours ([int]$Options.window_hours) -Mode $Options.evidence_mode -Sid $Run.Context.Sid -Gate $Desired.Gate
    $facts = [ordered]@{ evidence = $evidence.source }
    if (-not $evidence.found) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_evidence' -Facts $facts
    }
    # 2. The matching targets of this user's vault (cmdkey sees only the current user's credentials).
    $program = Join-Path $env:windir $Desired.Program
    $list = Invoke-RmNative -FilePath $program -Arguments '/list' -TimeoutSeconds ([int]$Desired.ListTimeoutSeconds)
    if ($list.ExitCode -ne 0) {
        $facts['exit_code'] = $list.ExitCode
        $facts['timed_out'] = $list.TimedOut
        return New-RmFinding -Id $Check.Id -State 'error' -Reason 'cmdkey_failed' -Facts $facts
    }
    $targets = New-Object System.Collections.Generic.List[string]
    $unsupported = 0
    foreach ($line in ([string]$list.Output -split "`r?`n")) {
        $match = [regex]::Match($line, $Desired.LinePattern)
        if (-not $match.Success) {
            continue
        }
        $target = $match.Groups[1].Value
        # Only names without blanks or quotes are passed to cmdkey: no quoting rules to get wrong.
        if ($target -notmatch '^[^\s"]+$') {
            $unsupported += 1
        }
        elseif (-not $targets.Contains($target)) {
            $targets.Add($target)
        }
    }
    $facts['credentials'] = $targets.Count
    if ($unsupported -gt 0) {
        $facts['unsupported'] = $unsupported
    }
    if ($targets.Count -eq 0) {
        if ($unsupported -gt 0) {
            return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'unsupported_target_names' -Facts $facts
        }
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_stale_credentials' -Facts $facts
    }
    # 3. Already removed after the newest evidence: the apps write them again at sign-in, which is expected.
    $stateKey = $Check.Id + '.cleared'
    if ($Run.State.ContainsKey($stateKey)) {
        $cleared = ConvertFrom-RmEvidenceStamp -Text $Run.State[$stateKey]
        $facts['cleared'] = $Run.State[$stateKey]
        if ($null -ne $cleared -and $cleared -ge $evidence.last -or ($Options.evidence_mode -eq 'always' -and $cleared -ge (Get-RmOsTime).AddHours(-[int]$Options.window_hours))) {
            return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'cleared_since_evidence' -Facts $facts
        }
    }
    $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason 'signin_failing_with_credentials' -Facts $facts
    $finding['plan'] = $targets.ToArray()
    return $finding
}

function Repair-RmOfficeCredential {
    <#
    .SYNOPSIS
    Remediation for check office_credentials (opt-in).
    .DESCRIPTION
    Fix: cmdkey /delete:<target> for each such target of this user (names recorded in the log and facts)
    Backup: nothing can be kept: a credential cannot be quarantined; the removed target names are written to the log and the facts, and Office/Teams create them again at the next sign-in
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    $Desired = $Check.Desired
    # A credential cannot be quarantined: each removed target name goes to the log and the facts instead.
    $program = Join-Path $env:windir $Desired.Program
    $deadline = [DateTime]::UtcNow.AddSeconds([int]$Desired.DeleteDeadlineSeconds)
    $removed = New-Object System.Collections.Generic.List[string]
    $failed = New-Object System.Collections.Generic.List[string]
    $left = 0
    foreach ($target in @($Finding.plan)) {
        if ([DateTime]::UtcNow -gt $deadline) {
            $left += 1
            continue
        }
        if ($PSCmdlet.ShouldProcess($target, 'cmdkey /delete')) {
            $outcome = Invoke-RmNative -FilePath $program -Arguments ('/delete:' + $target) -TimeoutSeconds ([int]$Desired.DeleteTimeoutSeconds)
            if ($outcome.ExitCode -eq 0) {
                $removed.Add($target)
                Write-RmLog -Message ($Check.Id + ': removed credential ' + $target)
            }
            else {
                $failed.Add($target)
                Write-RmLog -Message ($Check.Id + ': could not remove credential ' + $target + ' (exit ' + $outcome.ExitCode + '): ' + ([string]$outcome.Output).Trim())
            }
        }
    }
    $facts = [ordered]@{ removed = $removed.Count; failed = $failed.Count }
    if ($WhatIfPreference) {
        $facts['would_remove'] = @($Finding.plan | Select-Object -First 5)
        return New-RmFinding -Id $Check.Id -State 'fixed' -Reason 'credentials_removed' -Facts $facts
    }
    $facts['targets'] = @($removed | Select-Object -First 5)
    if ($failed.Count -gt 0 -or $left -gt 0) {
        $facts['left'] = $left
        return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'credentials_left' -Facts $facts
    }
    $Run.State[$Check.Id + '.cleared'] = Get-RmStamp
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason 'credentials_removed' -Facts $facts
}

function Test-RmTokenBrokerAccount {
    <#
    .SYNOPSIS
    Detection for check token_broker_accounts: TokenBroker account files quarantined on broker or key failure evidence.
    .DESCRIPTION
    Signal: a recent failure of this user with a broker/key code (options layers and codes), newer than the last clear and the last attempt, and files in %LOCALAPPDATA%\Packages\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\AC\TokenBroker\Accounts or its Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy twin
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # 1. The token files in both Accounts folders (files only: the folders themselves stay).
    $items = New-Object System.Collections.Generic.List[string]
    foreach ($folder in $Desired.Folders) {
        $root = Join-Path ([Environment]::GetEnvironmentVariable($folder.Base)) $folder.Path
        if (Test-Path -LiteralPath $root -PathType Container) {
            foreach ($file in @(Get-ChildItem -LiteralPath $root -Force -File)) {
                $items.Add($file.FullName)
            }
        }
    }
    $facts = [ordered]@{ files = $items.Count }
    if ($items.Count -eq 0) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_token_files' -Facts $facts
    }
    # 2. A recent failure of this user with a broker or key code: other failures are not the token cache's.
    $evidence = Get-RmUserEvidence -WindowHours ([int]$Options.window_hours) -Mode $Options.evidence_mode -Sid $Run.Context.Sid -Gate $Desired.Gate
    $facts['evidence'] = $evidence.source
    if (-not $evidence.found) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_evidence' -Facts $facts
    }
    $facts['codes'] = $evidence.codes
    # 3. Already cleared after the newest evidence: the broker recreates these files at the next sign-in, and
    # clearing them again for the same evidence would sign the user out on every scheduled run.
    if ($Run.State.ContainsKey($Desired.ClearedKey)) {
        $cleared = ConvertFrom-RmEvidenceStamp -Text $Run.State[$Desired.ClearedKey]
        $facts['cleared'] = $Run.State[$Desired.ClearedKey]
        if ($null -ne $cleared -and ($cleared -ge $evidence.last -or ($Options.evidence_mode -eq 'always' -and $cleared -ge (Get-RmOsTime).AddHours(-[int]$Options.window_hours)))) {
            return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'cleared_since_evidence' -Facts $facts
        }
    }
    # 4. Signing the user out is a disruption: at most once per period.
    if (Test-RmDoneWithin -State $Run.State -Key $Desired.AttemptKey -Hours ([int]$Options.min_hours_between_clears)) {
        $facts['last_attempt'] = $Run.State[$Desired.AttemptKey]
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'cleared_recently' -Facts $facts
    }
    $cap = [long]$Options.max_files_mb * 1MB
    if ((Measure-RmItemSize -Path ([string[]]$items) -Limit $cap) -gt $cap) {
        $facts['max_files_mb'] = [int]$Options.max_files_mb
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'files_too_large' -Facts $facts
    }
    $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason 'broker_failure_with_tokens' -Facts $facts
    $finding['plan'] = $items.ToArray()
    return $finding
}

function Repair-RmTokenBrokerAccount {
    <#
    .SYNOPSIS
    Remediation for check token_broker_accounts (opt-in).
    .DESCRIPTION
    Fix: unless in a call: notify the user, move the files in those two Accounts folders (not the folders) to quarantine; the user may have to sign in again. Opt-in: Microsoft advises against deleting tokens by hand in general
    Backup: files moved to %LOCALAPPDATA%\remediate\quarantine\<time>-token_broker_accounts (manifest.tsv); purged after the retention period
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # Never sign the user out during a call (any app holding the microphone or camera).
    $call = Test-RmCallInProgress -ConsentStore $Desired.ConsentStore -Devices $Desired.Devices -AppMatch $Desired.AppMatch -StaleHours ([int]$Options.call_stale_hours)
    if ($call -eq 'call') {
        return New-RmFinding -Id $Check.Id -State 'deferred' -Reason 'call_in_progress' -Facts ([ordered]@{ retry = 'next run' })
    }
    # The allowed roots are the two Accounts folders themselves: Move-RmToQuarantine refuses anything else.
    $roots = @($Desired.Folders | ForEach-Object { Join-Path ([Environment]::GetEnvironmentVariable($_.Base)) $_.Path })
    $items = [string[]]@($Finding.plan)
    if ($WhatIfPreference) {
        return New-RmFinding -Id $Check.Id -State 'fixed' -Reason 'tokens_quarantined' -Facts ([ordered]@{ would_move = $items.Count })
    }
    $notified = [bool](Show-RmOsNotification -Title $Desired.Notice.Title -Text $Desired.Notice.Text)
    $Run.State[$Desired.AttemptKey] = Get-RmStamp
    $outcome = Move-RmToQuarantine -Path $items -AllowedRoot $roots -Check $Check.Id
    $facts = [ordered]@{ moved = $outcome.moved; failed = $outcome.failed; notified = $notified }
    if ($outcome.failed -gt 0) {
        # A file held open by the broker stays; the cooldown retries later.
        return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'files_locked' -Facts $facts
    }
    $Run.State[$Desired.ClearedKey] = Get-RmStamp
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason 'tokens_quarantined' -Facts $facts
}

function Test-RmAccountConflict {
    <#
    .SYNOPSIS
    Detection for check account_conflict: Work accounts of another tenant or several Office identities for this user.
    .DESCRIPTION
    Signal: Workplace Join entries (HKCU\...\WorkplaceJoin\JoinInfo\*, TenantId/UserEmail) whose tenant differs from the device join (HKLM\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\JoinInfo\*); more distinct Office identities (HKCU\...\Office\16.0\Common\Identity\Identities\*, EmailAddress/ProviderId) than the option office_account_limit
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Desired = $Check.Desired
    # 1. The device's Entra tenant(s). Users may read this key; if a hardening baseline denies it, say so.
    $deviceTenants = New-Object System.Collections.Generic.List[string]
    $facts = [ordered]@{}
    try {
        foreach ($name in @(Get-RmRegistrySubKeyName -Path $Desired.DeviceJoinInfo)) {
            $tenant = ([string](Get-RmRegistryValue -Path ($Desired.DeviceJoinInfo + '\' + $name) -Name $Desired.DeviceTenantValue)).Trim('{', '}', ' ').ToLowerInvariant()
            if ($tenant -and -not $deviceTenants.Contains($tenant)) {
                $deviceTenants.Add($tenant)
            }
        }
        $facts['device_joined'] = ($deviceTenants.Count -gt 0)
    }
    catch {
        $facts['device_joined'] = 'unreadable'
    }
    # 2. This user's work or school accounts; one of another tenant competes with the device's account.
    $workplace = 0
    $otherTenant = New-Object System.Collections.Generic.List[string]
    foreach ($name in @(Get-RmRegistrySubKeyName -Path $Desired.UserJoinInfo)) {
        $path = $Desired.UserJoinInfo + '\' + $name
        $tenant = ([string](Get-RmRegistryValue -Path $path -Name $Desired.UserTenantValue)).Trim('{', '}', ' ').ToLowerInvariant()
        $email = [string](Get-RmRegistryValue -Path $path -Name $Desired.UserEmailValue)
        $workplace += 1
        if ($deviceTenants.Count -gt 0 -and $tenant -and -not $deviceTenants.Contains($tenant)) {
            if ($email) {
                $otherTenant.Add($email)
            }
            else {
                $otherTenant.Add($tenant)
            }
        }
    }
    $facts['workplace_accounts'] = $workplace
    if ($otherTenant.Count -gt 0) {
        $facts['other_tenant'] = @($otherTenant | Select-Object -First 3)
    }
    # 3. The identities Office knows: distinct sign-in addresses and identity providers.
    $identities = 0
    $emails = New-Object System.Collections.Generic.List[string]
    $providers = New-Object System.Collections.Generic.List[string]
    foreach ($name in @(Get-RmRegistrySubKeyName -Path $Desired.OfficeIdentities)) {
        $path = $Desired.OfficeIdentities + '\' + $name
        $identities += 1
        $email = ([string](Get-RmRegistryValue -Path $path -Name $Desired.OfficeEmailValue)).Trim().ToLowerInvariant()
        $provider = ([string](Get-RmRegistryValue -Path $path -Name $Desired.OfficeProviderValue)).Trim()
        if ($email -and -not $emails.Contains($email)) {
            $emails.Add($email)
        }
        if ($provider -and -not $providers.Contains($provider)) {
            $providers.Add($provider)
        }
    }
    $facts['office_identities'] = $identities
    $facts['office_accounts'] = $emails.Count
    if ($providers.Count -gt 0) {
        $facts['providers'] = @($providers | Sort-Object)
    }
    # Advisory only: the user adds or removes accounts; nothing here changes them.
    if ($otherTenant.Count -gt 0) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'work_account_other_tenant' -Facts $facts
    }
    if ($emails.Count -gt [int]$Desired.OfficeAccountLimit) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'several_office_identities' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_conflict' -Facts $facts
}

function Test-RmSigninAdvice {
    <#
    .SYNOPSIS
    Detection for check signin_advice: Helpdesk advice for sign-in errors that nothing local can fix.
    .DESCRIPTION
    Signal: AADSTS and server-verdict codes in this user's sign-in failure evidence in the window (the device package's evidence file), each mapped to one advice key (listed under Fix)
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # Server verdicts (password, MFA, Conditional Access, device state) cannot be fixed here: report advice.
    $evidence = Get-RmUserEvidence -WindowHours ([int]$Options.window_hours) -Mode 'evidence' -Sid $Run.Context.Sid -Gate $Desired.Gate -Advice
    $facts = [ordered]@{ evidence = $evidence.source }
    if (-not $evidence.found) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_evidence' -Facts $facts
    }
    # The evidence file lists codes as 'CODE:count,CODE:count' (canonical hex or AADSTSnnnn).
    $seen = New-Object System.Collections.Generic.List[object]
    foreach ($entry in ([string]$evidence.codes -split ',')) {
        $pair = $entry -split ':', 2
        $code = $pair[0].Trim()
        $hits = 0
        if ($pair.Count -eq 2) {
            $null = [int]::TryParse($pair[1], [ref]$hits)
        }
        if ($Desired.Advice.Contains($code)) {
            $key = [string]$Desired.Advice[$code]
        }
        elseif ($code -match '^AADSTS[0-9]+$') {
            $key = $Desired.UnknownKey
        }
        else {
            continue
        }
        Write-RmLog -Message ($Check.Id + ': ' + $code + ' x' + $hits + ': ' + $key)
        $seen.Add([pscustomobject]@{ Code = $code; Key = $key; Hits = $hits })
    }
    if ($seen.Count -eq 0) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_advice_codes' -Facts $facts
    }
    # Most frequent first; the result line holds 2,048 characters, so only the first few are listed.
    $sorted = @($seen | Sort-Object -Property @{ Expression = 'Hits'; Descending = $true }, @{ Expression = 'Code'; Descending = $false })
    $advice = [ordered]@{}
    foreach ($item in @($sorted | Select-Object -First ([int]$Desired.MaxCodes))) {
        $advice[$item.Code] = $item.Key
    }
    $facts['advice'] = $advice
    if ($sorted.Count -gt $advice.Count) {
        $facts['more'] = $sorted.Count - $advice.Count
    }
    return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'helpdesk_advice' -Facts $facts
}

# ---- the checks of this package, in ladder order (least invasive first) ----
$RmChecks = @(
    [ordered]@{
        'Id' = 'tls12_user'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $false
        'Detect' = 'Test-RmTls12User'
        'Repair' = 'Repair-RmTls12User'
        'Options' = [ordered]@{}
        'Desired' = [ordered]@{
            'Path' = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
            'Name' = 'SecureProtocols'
            'Bit' = 2048
            'Policies' = @(
                [ordered]@{
                    'Label' = 'hkcu'
                    'Path' = 'HKCU:\Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings'
                },
                [ordered]@{
                    'Label' = 'hklm'
                    'Path' = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings'
                }
            )
        }
    },
    [ordered]@{
        'Id' = 'user_proxy'
        'Tier' = 'opt-in'
        'Fix' = $false
        'EvidenceGated' = $false
        'Detect' = 'Test-RmUserProxy'
        'Repair' = 'Repair-RmUserProxy'
        'Options' = [ordered]@{
            'connect_timeout_ms' = 300
        }
        'Desired' = [ordered]@{
            'Path' = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
            'Names' = @(
                'ProxyEnable',
                'ProxyServer',
                'AutoConfigURL',
                'AutoDetect'
            )
            'EnableName' = 'ProxyEnable'
            'ServerName' = 'ProxyServer'
            'PacName' = 'AutoConfigURL'
            'AutoDetectName' = 'AutoDetect'
            'DisabledValue' = 0
            'ConnectionsPath' = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
            'ConnectionsName' = 'DefaultConnectionSettings'
            'FlagsOffset' = 8
            'PerMachinePath' = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings'
            'PerMachineName' = 'ProxySettingsPerUser'
            'ProtocolPrefix' = '^[A-Za-z]+='
            'SchemePrefix' = '^[A-Za-z][A-Za-z0-9+.-]*://'
            'EndpointPattern' = '^(?<host>\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+)(:(?<port>\d{1,5}))?$'
            'LoopbackPattern' = '^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$'
            'LocalhostAddresses' = @(
                '127.0.0.1',
                '::1'
            )
            'DefaultPort' = 80
            'MaxEndpoints' = 2
            'MaxFactChars' = 80
        }
    },
    [ordered]@{
        'Id' = 'office_identity_overrides'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $false
        'Detect' = 'Test-RmOfficeIdentityOverride'
        'Repair' = 'Repair-RmOfficeIdentityOverride'
        'Options' = [ordered]@{}
        'Desired' = [ordered]@{
            'Path' = 'HKCU:\Software\Microsoft\Office\16.0\Common\Identity'
            'PolicyPath' = 'HKCU:\Software\Policies\Microsoft\Office\16.0\Common\Identity'
            'Values' = @(
                [ordered]@{
                    'Name' = 'EnableADAL'
                    'Bad' = 0
                },
                [ordered]@{
                    'Name' = 'DisableADALatopWAMOverride'
                    'Bad' = 1
                },
                [ordered]@{
                    'Name' = 'DisableAADWAM'
                    'Bad' = 1
                }
            )
        }
    },
    [ordered]@{
        'Id' = 'wam_broker'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $false
        'Detect' = 'Test-RmWamBroker'
        'Repair' = 'Repair-RmWamBroker'
        'Options' = [ordered]@{
            'check_events' = $true
            'event_window_hours' = 72
            'max_events' = 200
        }
        'Desired' = [ordered]@{
            'Packages' = @(
                [ordered]@{
                    'Label' = 'broker'
                    'Name' = 'Microsoft.AAD.BrokerPlugin'
                    'Folder' = 'Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy'
                },
                [ordered]@{
                    'Label' = 'cxh'
                    'Name' = 'Microsoft.Windows.CloudExperienceHost'
                    'Folder' = 'Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy'
                }
            )
            'SystemApps' = 'SystemApps'
            'Manifest' = 'Appxmanifest.xml'
            'OkStatus' = 'Ok'
            'EventLog' = 'Application'
            'EventProvider' = 'Microsoft-Windows-AppModel-State'
            'EventMatch' = 'Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy'
            'EventLabel' = 'broker'
            'StateKey' = 'wam_broker.registered'
            'ConsentStore' = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore'
            'CallDevices' = @(
                'microphone',
                'webcam'
            )
            'CallAppMatch' = '.'
            'CallStaleHours' = 12
            'MaxFactChars' = 120
        }
    },
    [ordered]@{
        'Id' = 'teams_cache'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $true
        'Detect' = 'Test-RmTeamsCache'
        'Repair' = 'Repair-RmTeamsCache'
        'Options' = [ordered]@{
            'window_hours' = 72
            'evidence_mode' = 'evidence'
            'codes' = @(
                '0xCAA20002',
                '0xCAA20003',
                '0xCAA90003',
                '0xCAA90004'
            )
            'keep' = @()
            'stop_wait_seconds' = 10
            'call_stale_hours' = 12
            'min_hours_between_clears' = 24
            'max_cache_mb' = 2048
        }
        'Desired' = [ordered]@{
            'Caches' = @(
                [ordered]@{
                    'Kind' = 'new'
                    'Base' = 'LOCALAPPDATA'
                    'Path' = 'Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams'
                    'Process' = 'ms-teams'
                    'StartBase' = 'windir'
                    'StartPath' = 'explorer.exe'
                    'StartArguments' = 'shell:AppsFolder\MSTeams_8wekyb3d8bbwe!MSTeams'
                },
                [ordered]@{
                    'Kind' = 'classic'
                    'Base' = 'APPDATA'
                    'Path' = 'Microsoft\Teams'
                    'Process' = 'Teams'
                    'StartBase' = 'LOCALAPPDATA'
                    'StartPath' = 'Microsoft\Teams\Update.exe'
                    'StartArguments' = '--processStart "Teams.exe"'
                }
            )
            'Keep' = @(
                'Backgrounds',
                'Logs'
            )
            'Gate' = [ordered]@{
                'Codes' = @(
                    '0xCAA20002',
                    '0xCAA20003',
                    '0xCAA90003',
                    '0xCAA90004'
                )
                'Layers' = @()
                'Routine' = @(
                    '0xCAA10001',
                    '0xCAA2000C',
                    '0xCAA5001C',
                    'AADSTS50058',
                    'AADSTS50076'
                )
            }
            'ConsentStore' = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore'
            'Devices' = @(
                'microphone',
                'webcam'
            )
            'AppMatch' = '(?i)teams'
            'Notice' = [ordered]@{
                'Title' = 'Microsoft Teams restarts for a moment'
                'Text' = 'Teams sign-in keeps failing on this PC. Teams closes now, its cache is cleared and it starts again; you may be asked to sign in.'
            }
            'ClearedKey' = 'teams_cache.cleared'
            'AttemptKey' = 'teams_cache.last_attempt'
        }
    },
    [ordered]@{
        'Id' = 'prt_state'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $false
        'Detect' = 'Test-RmPrtState'
        'Repair' = 'Repair-RmPrtState'
        'Options' = [ordered]@{
            'max_prt_age_hours' = 8
            'settle_minutes' = 30
            'retry_hours' = 24
        }
        'Desired' = [ordered]@{
            'Program' = 'System32\dsregcmd.exe'
            'StatusArguments' = '/status'
            'RefreshArguments' = '/refreshprt'
            'StatusTimeoutSeconds' = 10
            'RefreshTimeoutSeconds' = 2
            'CacheKey' = 'prt_state.status'
            'DeviceJoinInfo' = 'HKLM:\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\JoinInfo'
            'UserInEntraField' = 'IsUserAzureAD'
            'EntraUserSidPrefix' = 'S-1-12-1-'
            'AadJoinedField' = 'AzureAdJoined'
            'DomainJoinedField' = 'DomainJoined'
            'PrtField' = 'AzureAdPrt'
            'PrtUpdateField' = 'AzureAdPrtUpdateTime'
            'Yes' = 'YES'
            'No' = 'NO'
            'TimePattern' = '^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*UTC\s*$'
            'DiagnosticFields' = @(
                [ordered]@{
                    'Name' = 'Attempt Status'
                    'Fact' = 'attempt_status'
                },
                [ordered]@{
                    'Name' = 'HTTP Error'
                    'Fact' = 'http_error'
                },
                [ordered]@{
                    'Name' = 'HTTP status'
                    'Fact' = 'http_status'
                },
                [ordered]@{
                    'Name' = 'Server Error Code'
                    'Fact' = 'server_error_code'
                },
                [ordered]@{
                    'Name' = 'Server Error Description'
                    'Fact' = 'server_error_description'
                }
            )
            'StateKey' = 'prt_state.refreshed'
            'MaxFactChars' = 120
        }
    },
    [ordered]@{
        'Id' = 'office_credentials'
        'Tier' = 'opt-in'
        'Fix' = $false
        'EvidenceGated' = $true
        'Detect' = 'Test-RmOfficeCredential'
        'Repair' = 'Repair-RmOfficeCredential'
        'Options' = [ordered]@{
            'window_hours' = 72
            'evidence_mode' = 'evidence'
            'targets' = @(
                'MicrosoftOffice16_Data:',
                'msteams_adalsso/'
            )
            'codes' = @(
                '0xCAA20002',
                '0xCAA20003',
                '0xCAA90003',
                '0xCAA90004'
            )
        }
        'Desired' = [ordered]@{
            'Program' = 'System32\cmdkey.exe'
            'LinePattern' = '(?i)^\s*[^:]{1,40}:\s*((?:[a-z]+:target=)?(?:MicrosoftOffice16_Data:|msteams_adalsso/).*?)\s*$'
            'ListTimeoutSeconds' = 2
            'DeleteTimeoutSeconds' = 1
            'DeleteDeadlineSeconds' = 2
            'Gate' = [ordered]@{
                'Codes' = @(
                    '0xCAA20002',
                    '0xCAA20003',
                    '0xCAA90003',
                    '0xCAA90004'
                )
                'Layers' = @()
                'Routine' = @(
                    '0xCAA10001',
                    '0xCAA2000C',
                    '0xCAA5001C',
                    'AADSTS50058',
                    'AADSTS50076'
                )
            }
        }
    },
    [ordered]@{
        'Id' = 'token_broker_accounts'
        'Tier' = 'opt-in'
        'Fix' = $false
        'EvidenceGated' = $true
        'Detect' = 'Test-RmTokenBrokerAccount'
        'Repair' = 'Repair-RmTokenBrokerAccount'
        'Options' = [ordered]@{
            'window_hours' = 72
            'evidence_mode' = 'evidence'
            'layers' = @(
                'broker',
                'keystore',
                'tpm'
            )
            'codes' = @(
                '0x80070520',
                '0x80090016'
            )
            'call_stale_hours' = 12
            'min_hours_between_clears' = 24
            'max_files_mb' = 64
        }
        'Desired' = [ordered]@{
            'Folders' = @(
                [ordered]@{
                    'Base' = 'LOCALAPPDATA'
                    'Path' = 'Packages\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\AC\TokenBroker\Accounts'
                },
                [ordered]@{
                    'Base' = 'LOCALAPPDATA'
                    'Path' = 'Packages\Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy\AC\TokenBroker\Accounts'
                }
            )
            'Gate' = [ordered]@{
                'Codes' = @(
                    '0x80070520',
                    '0x80090016'
                )
                'Layers' = @(
                    'broker',
                    'keystore',
                    'tpm'
                )
                'Routine' = @(
                    '0xCAA10001',
                    '0xCAA2000C',
                    '0xCAA5001C',
                    'AADSTS50058',
                    'AADSTS50076'
                )
            }
            'ConsentStore' = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore'
            'Devices' = @(
                'microphone',
                'webcam'
            )
            'AppMatch' = '.'
            'Notice' = [ordered]@{
                'Title' = 'Work account sign-in repaired'
                'Text' = 'Sign-in to your work account keeps failing on this PC. Its saved sign-in tokens are reset now; Office and Teams may ask you to sign in again.'
            }
            'ClearedKey' = 'token_broker_accounts.cleared'
            'AttemptKey' = 'token_broker_accounts.last_attempt'
        }
    },
    [ordered]@{
        'Id' = 'account_conflict'
        'Tier' = 'advisory'
        'Fix' = $false
        'EvidenceGated' = $false
        'Detect' = 'Test-RmAccountConflict'
        'Repair' = ''
        'Options' = [ordered]@{
            'office_account_limit' = 1
        }
        'Desired' = [ordered]@{
            'UserJoinInfo' = 'HKCU:\Software\Microsoft\Windows NT\CurrentVersion\WorkplaceJoin\JoinInfo'
            'UserTenantValue' = 'TenantId'
            'UserEmailValue' = 'UserEmail'
            'DeviceJoinInfo' = 'HKLM:\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\JoinInfo'
            'DeviceTenantValue' = 'TenantId'
            'OfficeIdentities' = 'HKCU:\Software\Microsoft\Office\16.0\Common\Identity\Identities'
            'OfficeEmailValue' = 'EmailAddress'
            'OfficeProviderValue' = 'ProviderId'
            'OfficeAccountLimit' = 1
        }
    },
    [ordered]@{
        'Id' = 'signin_advice'
        'Tier' = 'advisory'
        'Fix' = $false
        'EvidenceGated' = $false
        'Detect' = 'Test-RmSigninAdvice'
        'Repair' = ''
        'Options' = [ordered]@{
            'window_hours' = 72
            'max_codes' = 6
        }
        'Desired' = [ordered]@{
            'Advice' = [ordered]@{
                '0x80070520' = 'apps_elevated_or_sid_change'
                '0xCAA10001' = 'interaction_required'
                '0xCAA20004' = 'conditional_access'
                '0xCAA20009' = 'invalid_client'
                '0xCAA2000C' = 'interaction_required'
                'AADSTS135011' = 'device_disabled'
                'AADSTS50053' = 'account_locked'
                'AADSTS50055' = 'password_expired'
                'AADSTS50058' = 'no_sso_session'
                'AADSTS50074' = 'mfa_required'
                'AADSTS50076' = 'mfa_required'
                'AADSTS50079' = 'mfa_registration'
                'AADSTS50097' = 'device_auth_required'
                'AADSTS50126' = 'wrong_password'
                'AADSTS50155' = 'device_deleted'
                'AADSTS50173' = 'password_changed'
                'AADSTS53000' = 'device_compliance'
                'AADSTS530003' = 'device_compliance'
                'AADSTS53003' = 'conditional_access'
                'AADSTS65001' = 'consent_required'
                'AADSTS700016' = 'app_not_in_tenant'
                'AADSTS700082' = 'refresh_token_expired'
                'AADSTS70043' = 'refresh_token_expired'
                'AADSTS90072' = 'user_not_in_tenant'
            }
            'UnknownKey' = 'lookup_aadsts'
            'MaxCodes' = 6
            'Gate' = [ordered]@{
                'Codes' = @()
                'Layers' = @()
                'Routine' = @(
                    '0xCAA10001',
                    '0xCAA2000C',
                    '0xCAA5001C',
                    'AADSTS50058',
                    'AADSTS50076'
                )
            }
        }
    }
)

# ---- main: one try/catch, one result, one exit (in Write-RmResult) ----
$RmOutcome = $null
$RmRelaunch = $null
try {
    # WDAC/AppLocker run unsigned scripts in Constrained Language Mode, where the .NET calls below are blocked:
    # stop before touching anything; Write-RmResult answers 'constrained_language' with the advice to sign.
    if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
        throw 'constrained_language'
    }
    $RmContext = Get-RmContext
    if (Test-RmRelaunchNeeded -Context $RmContext) {
        $RmRelaunch = Invoke-RmSelf64
    }
    else {
        $RmOutcome = Invoke-RmPackage -Checks $RmChecks -Context $RmContext
    }
}
catch {
    $RmOutcome = New-RmErrorResult -ErrorRecord $_
}
Write-RmResult -Result $RmOutcome -Relaunch $RmRelaunch
