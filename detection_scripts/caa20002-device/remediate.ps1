# generated from packaging/caa20002-device.toml by remediate 0.1.0; do not edit
# input-sha256: 1e961dcca13f20f2b676698d974428a7e6ffe844383228cec30c0cd8e6802a23
#
# CAA20002 sign-in failure - device checks - remediate script
# Runs as: system (64-bit PowerShell). Intune: powershell.exe -NoProfile -ExecutionPolicy Bypass -File
# Contract: the last output line is one JSON result (ASCII, <= 2,048 characters); exit code from the verdict
# (0 = done or deferred, 1 = failed). Nothing is ever written to stderr.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$ProgressPreference = 'SilentlyContinue'

# ---- settings (rendered from the package; the dry-run switch can also be set with REMEDIATE_DRY_RUN=1) ----
$RmConfig = [ordered]@{
    'Tool' = '0.1.0'
    'Package' = 'caa20002-device'
    'Phase' = 'remediate'
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
# Exact codes that implicate the user's sign-in state (remediate/codes.py implicates_user_state).
$RmUserStateCodes = @(
    '0x80070520',
    '0x80090016',
    '0xCAA20002',
    '0xCAA20003',
    '0xCAA90003',
    '0xCAA90004'
)

# ---- runtime (remediate/powershell/runtime, inlined) ----
function Add-RmEvidence {
    <#
    .SYNOPSIS
    Adds counted codes (code -> number of events naming it) of some events to an evidence summary.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Evidence,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Counts,
        [Parameter(Mandatory = $true)][int]$Events
    )
    foreach ($name in @('codes', 'layers')) {
        if (-not $Evidence.Contains($name)) {
            $Evidence[$name] = @{}
        }
    }
    if (-not $Evidence.Contains('events')) {
        $Evidence['events'] = 0
    }
    $Evidence['events'] = [int]$Evidence['events'] + $Events
    foreach ($code in $Counts.Keys) {
        $Evidence.codes[$code] = [int]$Counts[$code] + [int]$Evidence.codes[$code]
        $layer = Get-RmCodeLayer -Code $code
        if ($layer) {
            $Evidence.layers[$layer] = [int]$Counts[$code] + [int]$Evidence.layers[$layer]
        }
    }
}

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

function Clear-RmOsDnsCache {
    <#
    .SYNOPSIS
    OS seam: flushes the DNS client cache (ipconfig /flushdns); throws on failure.
    #>
    Clear-DnsClientCache -ErrorAction Stop
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

function ConvertFrom-RmStamp {
    <#
    .SYNOPSIS
    Reads a time written by Get-RmStamp back as a UTC DateTime (culture-independent).
    #>
    param([Parameter(Mandatory = $true)][string]$Text)
    return [DateTime]::ParseExact($Text, 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal')
}

function ConvertFrom-RmWinHttpSetting {
    <#
    .SYNOPSIS
    The WinHTTP default proxy from the binary WinHttpSettings value: 'direct', 'auto', the proxy list, or
    'unknown'.
    #>
    param([AllowNull()][object[]]$Value)
    if ($null -eq $Value -or $Value.Count -lt 20 -or @($Value | Where-Object { $_ -isnot [byte] }).Count -gt 0) {
        return 'unknown'
    }
    $bytes = [byte[]]$Value
    $flags = [System.BitConverter]::ToUInt32($bytes, 8)
    $proxyLength = [long][System.BitConverter]::ToUInt32($bytes, 12)
    if (16 + $proxyLength + 4 -gt $bytes.Length) {
        return 'unknown'
    }
    $bypassLength = [long][System.BitConverter]::ToUInt32($bytes, [int](16 + $proxyLength))
    if (20 + $proxyLength + $bypassLength -gt $bytes.Length) {
        return 'unknown'
    }
    # Printable ASCII only (the decoder would turn other bytes into '?', which looks like a proxy name).
    for ($i = 16; $i -lt 16 + $proxyLength; $i++) {
        if ($bytes[$i] -lt 0x20 -or $bytes[$i] -gt 0x7E) {
            return 'unknown'
        }
    }
    $proxy = [System.Text.Encoding]::ASCII.GetString($bytes, 16, [int]$proxyLength)
    if (($flags -band 2) -and $proxy.Trim()) {
        return $proxy.Trim()
    }
    if ($flags -band 12) {
        return 'auto'
    }
    if ($flags -band 1) {
        return 'direct'
    }
    return 'unknown'
}

function ConvertTo-RmCanonicalCode {
    <#
    .SYNOPSIS
    '0x' plus eight upper-case hex digits for a 32-bit value given as a signed or unsigned number.
    #>
    param([Parameter(Mandatory = $true)][long]$Value)
    if ($Value -lt 0) {
        $Value = $Value + 4294967296
    }
    return ('0x{0:X8}' -f $Value)
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

function Get-RmCodesFromText {
    <#
    .SYNOPSIS
    The error codes named in a message: hex (0xCAA20002), unsigned (3399614466) or signed (-895352830)
    decimal, and AADSTS numbers. Decimals count only when they fall in a known family, so that ordinary
    numbers in the text are not taken for codes.
    #>
    param([AllowEmptyString()][string]$Text)
    $codes = @{}
    foreach ($m in [regex]::Matches($Text, '0[xX]([0-9A-Fa-f]{8})\b|(?<![\w.])(-?[0-9]{9,10})(?![\w.])|AADSTS([0-9]{4,9})')) {
        if ($m.Groups[1].Success) {
            $codes['0x' + $m.Groups[1].Value.ToUpperInvariant()] = $true
        }
        elseif ($m.Groups[2].Success) {
            $number = [long]$m.Groups[2].Value
            if ($number -ge -2147483648 -and $number -le 4294967295) {
                $code = ConvertTo-RmCanonicalCode -Value $number
                if (Get-RmCodeLayer -Code $code) {
                    $codes[$code] = $true
                }
            }
        }
        else {
            $codes['AADSTS' + $m.Groups[3].Value] = $true
        }
    }
    $sorted = [string[]]@($codes.Keys)
    [Array]::Sort($sorted, [System.StringComparer]::Ordinal)
    return $sorted
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

function Get-RmOsHttpDate {
    <#
    .SYNOPSIS
    OS seam: the Date header (UTC) of a HEAD request to Uri, or $null with the Problem that prevented it.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Uri,
        [Parameter(Mandatory = $true)][int]$TimeoutMs
    )
    $answer = [ordered]@{ Date = $null; Problem = '' }
    $client = $null
    try {
        Add-Type -AssemblyName System.Net.Http
        [System.Net.ServicePointManager]::SecurityProtocol = [System.Net.ServicePointManager]::SecurityProtocol -bor [System.Net.SecurityProtocolType]::Tls12
        $handler = New-Object -TypeName System.Net.Http.HttpClientHandler
        $handler.AllowAutoRedirect = $false
        $client = New-Object -TypeName System.Net.Http.HttpClient -ArgumentList $handler
        $client.Timeout = [TimeSpan]::FromMilliseconds($TimeoutMs)
        $request = New-Object -TypeName System.Net.Http.HttpRequestMessage -ArgumentList @([System.Net.Http.HttpMethod]::Head, $Uri)
        $task = $client.SendAsync($request)
        if ($task.Wait($TimeoutMs)) {
            $date = $task.Result.Headers.Date
            if ($null -ne $date) {
                $answer.Date = $date.UtcDateTime
            }
            else {
                $answer.Problem = 'no_date_header'
            }
            $task.Result.Dispose()
        }
        else {
            $client.CancelPendingRequests()
            $answer.Problem = 'timeout'
        }
    }
    catch {
        $cause = $_.Exception
        $webStatus = ''
        while ($null -ne $cause) {
            $answer.Problem = $cause.GetType().Name
            if ($cause -is [System.Net.WebException]) {
                $webStatus = [string]$cause.Status
            }
            $cause = $cause.InnerException
        }
        if ($webStatus) {
            $answer.Problem = $webStatus
        }
    }
    finally {
        if ($null -ne $client) {
            $client.Dispose()
        }
    }
    return $answer
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

function Get-RmOsNetwork {
    <#
    .SYNOPSIS
    OS seam: what the VPN check reads of the network stack, as plain data.
    #>
    param([Parameter(Mandatory = $true)][string]$Prefix)
    # One bounded call (3 s, vpn_state's budget): the NetTCPIP and VPN cmdlets have no timeout of their own.
    $parts = @()
    try {
        $parts = @(Invoke-RmWithDeadline -TimeoutSeconds 3 -Parameters @{ Prefix = $Prefix } -ScriptBlock {
            param($Prefix)
            $found = @{ Vpn = $null; Adapters = $null; Metrics = $null; Routes = $null }
            try {
                $found.Vpn = @(Get-VpnConnection -AllUserConnection -ErrorAction Stop | Where-Object { [string]$_.ConnectionStatus -eq 'Connected' } | ForEach-Object { @{ Name = [string]$_.Name } })
            }
            catch {
                $null = $_
            }
            try {
                $found.Adapters = @(Get-NetAdapter -ErrorAction Stop | Where-Object { [string]$_.Status -eq 'Up' } | ForEach-Object {
                        @{ Index = [int]$_.InterfaceIndex; Alias = [string]$_.Name; Description = [string]$_.InterfaceDescription }
                    })
            }
            catch {
                $null = $_
            }
            try {
                $metrics = @{}
                foreach ($interface in @(Get-NetIPInterface -AddressFamily IPv4 -ErrorAction Stop)) {
                    $metrics[[int]$interface.InterfaceIndex] = [int]$interface.InterfaceMetric
                }
                $found.Metrics = $metrics
                # No IPv4 default route at all is reported by Get-NetRoute as an error: that is an empty list.
                $found.Routes = @(Get-NetRoute -DestinationPrefix $Prefix -PolicyStore ActiveStore -ErrorAction SilentlyContinue | ForEach-Object {
                        @{ Index = [int]$_.InterfaceIndex; Alias = [string]$_.InterfaceAlias; Metric = [int]$_.RouteMetric }
                    })
            }
            catch {
                $null = $_
            }
            $found
        })
    }
    catch [System.TimeoutException] {
        # Every part unread ($null): the check reports them as unavailable.
        $parts = @()
    }
    $network = [ordered]@{ Vpn = $null; Adapters = $null; Metrics = $null; Routes = $null }
    if ($parts.Count -gt 0) {
        foreach ($key in @('Vpn', 'Adapters', 'Metrics', 'Routes')) {
            $network[$key] = $parts[0][$key]
        }
    }
    return $network
}

function Get-RmOsScheduledTask {
    <#
    .SYNOPSIS
    OS seam: one scheduled task's state ('Ready', 'Disabled', 'Running', ...); Exists is false when absent.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$TaskPath,
        [Parameter(Mandatory = $true)][string]$TaskName
    )
    $task = @(Invoke-RmWithDeadline -TimeoutSeconds 5 -Parameters @{ Path = $TaskPath; Name = $TaskName } -ScriptBlock {
            param($Path, $Name)
            Get-ScheduledTask -TaskPath $Path -TaskName $Name -ErrorAction SilentlyContinue
        }) | Select-Object -First 1
    if ($null -eq $task) {
        return [ordered]@{ Exists = $false; State = '' }
    }
    return [ordered]@{ Exists = $true; State = [string]$task.State }
}

function Get-RmOsService {
    <#
    .SYNOPSIS
    OS seam: one service's status ('Running', 'Stopped', ...) and start type; Exists is false when absent.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        return [ordered]@{ Exists = $false; Status = ''; StartType = '' }
    }
    return [ordered]@{ Exists = $true; Status = [string]$service.Status; StartType = [string]$service.StartType }
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

function Set-RmOsScheduledTask {
    <#
    .SYNOPSIS
    OS seam: enables ('Enable') or starts ('Start') one scheduled task; throws on failure.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; the calling repair fragment asks ShouldProcess (or reads WhatIfPreference) before it calls')]
    param(
        [Parameter(Mandatory = $true)][string]$TaskPath,
        [Parameter(Mandatory = $true)][string]$TaskName,
        [Parameter(Mandatory = $true)][ValidateSet('Enable', 'Start')][string]$Action
    )
    if ($Action -eq 'Enable') {
        $null = Enable-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -ErrorAction Stop
    }
    else {
        Start-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -ErrorAction Stop
    }
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

function Start-RmOsService {
    <#
    .SYNOPSIS
    OS seam: starts one service and waits until it runs, at most TimeoutSeconds; throws on failure or timeout.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: a thin wrapper that the simulated Windows replaces; the calling repair fragment asks ShouldProcess (or reads WhatIfPreference) before it calls')]
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [int]$TimeoutSeconds = 20
    )
    $service = New-Object -TypeName System.ServiceProcess.ServiceController -ArgumentList $Name
    try {
        if ($service.Status -ne [System.ServiceProcess.ServiceControllerStatus]::Running) {
            if ($service.Status -ne [System.ServiceProcess.ServiceControllerStatus]::StartPending) {
                $service.Start()
            }
            $service.WaitForStatus([System.ServiceProcess.ServiceControllerStatus]::Running, [TimeSpan]::FromSeconds($TimeoutSeconds))
        }
    }
    finally {
        $service.Dispose()
    }
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

function Test-RmOsEndpoint {
    <#
    .SYNOPSIS
    OS seam: DNS, TCP and a TLS 1.2 handshake to every name at once; per name its Error ('' when all three
    worked, else 'dns_'/'tcp_'/'tls_' plus the cause) and the server certificate's Issuer.
    #>
    param(
        [Parameter(Mandatory = $true)][string[]]$Name,
        [Parameter(Mandatory = $true)][int]$Port,
        [Parameter(Mandatory = $true)][int]$DnsTimeoutMs,
        [Parameter(Mandatory = $true)][int]$TcpTimeoutMs,
        [Parameter(Mandatory = $true)][int]$TlsTimeoutMs
    )
    $probes = New-Object System.Collections.Generic.List[object]
    $until = [DateTime]::UtcNow.AddMilliseconds($DnsTimeoutMs)
    foreach ($endpoint in $Name) {
        $probe = [ordered]@{ Name = $endpoint; Task = $null; Address = $null; Client = $null; Stream = $null; Error = ''; Issuer = '' }
        try {
            $probe.Task = [System.Net.Dns]::GetHostAddressesAsync($endpoint)
        }
        catch {
            $probe.Error = 'dns_' + $_.Exception.GetType().Name
        }
        $probes.Add($probe)
    }
    try {
        foreach ($probe in $probes) {
            if ($null -eq $probe.Task) {
                continue
            }
            $outcome = Wait-RmNetTask -Task $probe.Task -Until $until
            if ($outcome -ne 'ok') {
                $probe.Error = 'dns_' + $outcome
                continue
            }
            $addresses = @($probe.Task.Result)
            $v4 = @($addresses | Where-Object { $_.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork })
            if ($v4.Count -gt 0) {
                $probe.Address = $v4[0]
            }
            elseif ($addresses.Count -gt 0) {
                $probe.Address = $addresses[0]
            }
            else {
                $probe.Error = 'dns_no_address'
            }
        }
        # 3. TCP 443 to every resolved address at once.
        $until = [DateTime]::UtcNow.AddMilliseconds($TcpTimeoutMs)
        foreach ($probe in @($probes | Where-Object { $null -ne $_.Address })) {
            try {
                $probe.Client = New-Object -TypeName System.Net.Sockets.TcpClient -ArgumentList $probe.Address.AddressFamily
                $probe.Task = $probe.Client.ConnectAsync($probe.Address, $Port)
            }
            catch {
                $probe.Task = $null
                $probe.Error = 'tcp_' + $_.Exception.GetType().Name
            }
        }
        foreach ($probe in @($probes | Where-Object { $null -ne $_.Client -and $null -ne $_.Task })) {
            $outcome = Wait-RmNetTask -Task $probe.Task -Until $until
            if ($outcome -ne 'ok') {
                $probe.Error = 'tcp_' + $outcome
            }
        }
        # 4. TLS 1.2 handshake with normal certificate validation (no callback), then the issuer.
        $until = [DateTime]::UtcNow.AddMilliseconds($TlsTimeoutMs)
        foreach ($probe in @($probes | Where-Object { $null -ne $_.Client -and -not $_.Error })) {
            try {
                $probe.Stream = New-Object -TypeName System.Net.Security.SslStream -ArgumentList @($probe.Client.GetStream(), $false)
                $noClientCertificates = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509CertificateCollection
                $probe.Task = $probe.Stream.AuthenticateAsClientAsync($probe.Name, $noClientCertificates, [System.Security.Authentication.SslProtocols]::Tls12, $false)
            }
            catch {
                $probe.Task = $null
                $probe.Error = 'tls_' + $_.Exception.GetType().Name
            }
        }
        foreach ($probe in @($probes | Where-Object { $null -ne $_.Stream -and $null -ne $_.Task -and -not $_.Error })) {
            $outcome = Wait-RmNetTask -Task $probe.Task -Until $until
            if ($outcome -eq 'ok') {
                $probe.Issuer = [string]$probe.Stream.RemoteCertificate.Issuer
            }
            else {
                $probe.Error = 'tls_' + $outcome
            }
        }
    }
    finally {
        # Closing the socket also ends a connect or handshake still pending past its deadline.
        foreach ($probe in $probes) {
            if ($null -ne $probe.Stream) {
                $probe.Stream.Close()
            }
            if ($null -ne $probe.Client) {
                $probe.Client.Close()
            }
        }
    }
    return @($probes | ForEach-Object { [ordered]@{ Name = $_.Name; Error = $_.Error; Issuer = $_.Issuer } })
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

function Test-RmUserStateCode {
    <#
    .SYNOPSIS
    Whether a canonical code ('0xCAA20002', 'AADSTS50126') is a failure that implicates the user's sign-in state.
    #>
    param([Parameter(Mandatory = $true)][string]$Code)
    if ($RmCodeTable.ContainsKey($Code) -or $Code.StartsWith('AADSTS')) {
        return ($RmUserStateCodes -contains $Code)
    }
    $value = [Convert]::ToInt64($Code.Substring(2), 16)
    foreach ($rule in $RmCodeFamilies) {
        if (($value -band $rule.Mask) -eq $rule.Match) {
            return [bool]$rule.UserState
        }
    }
    return $false
}

function Wait-RmNetTask {
    <#
    .SYNOPSIS
    Waits for a .NET task up to a deadline shared by a whole phase; returns 'ok', 'timeout' or the cause.
    #>
    param(
        [Parameter(Mandatory = $true)][System.Threading.Tasks.Task]$Task,
        [Parameter(Mandatory = $true)][DateTime]$Until
    )
    $left = [int][math]::Max(0, ($Until - [DateTime]::UtcNow).TotalMilliseconds)
    try {
        $null = $Task.Wait($left)
    }
    catch {
        $null = $_
    }
    if ($Task.Status -eq [System.Threading.Tasks.TaskStatus]::RanToCompletion) {
        return 'ok'
    }
    if (-not $Task.IsCompleted) {
        return 'timeout'
    }
    $cause = $Task.Exception
    $name = 'canceled'
    while ($null -ne $cause) {
        $name = $cause.GetType().Name
        if ($cause -is [System.Net.Sockets.SocketException]) {
            $name = [string]$cause.SocketErrorCode
        }
        $cause = $cause.InnerException
    }
    return $name
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

function Write-RmUserEvidence {
    <#
    .SYNOPSIS
    Writes one user's evidence file: only SYSTEM and Administrators can write it, only that user can read it.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Sid,
        [Parameter(Mandatory = $true)][string[]]$Lines
    )
    $folder = Get-RmEvidenceFolder
    if (-not (Test-Path -LiteralPath $folder)) {
        $null = New-Item -ItemType Directory -Path $folder -Force -WhatIf:$false
        Set-RmOsAcl -Path $folder
    }
    $path = Join-Path $folder ($Sid + '.txt')
    [System.IO.File]::WriteAllLines($path, $Lines, [System.Text.Encoding]::ASCII)
    Set-RmOsAcl -Path $path -ReaderSid $Sid
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
function Test-RmAadEvidence {
    <#
    .SYNOPSIS
    Detection for check aad_evidence: Sign-in failure evidence in the AAD and AppModel-State logs.
    .DESCRIPTION
    Signal: Microsoft-Windows-AAD/Operational events 1081/1084/1085/1097/1098/1104/1160 in the window: codes from the event data, read culture-free (hex, unsigned or signed decimal, AADSTS), classified by layer and grouped by user SID; a failure is a code that implicates the user's sign-in state (remediate explain), never a 1097 warning, the 0xCAA5001C wrapper or interaction_required alone; Application log AppModel-State events naming the WAM broker plug-in
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # Read-only over the logs; the only write is the per-user evidence files (for the user package's gates).
    $since = (Get-RmOsTime).AddHours(-[int]$Options.window_hours)
    $facts = [ordered]@{ window_hours = [int]$Options.window_hours }
    $users = @{}
    try {
        $read = Get-RmOsEvent -LogName $Desired.Log -Id $Desired.EventIds -Since $since -MaxEvents ([int]$Options.max_events)
    }
    catch {
        # An evidence reader that cannot read is no evidence, never an error of the whole detection.
        Write-RmLog -Message ('aad_evidence: ' + $Desired.Log + ': ' + $_.Exception.Message)
        $read = [ordered]@{ Status = 'unreadable'; Records = @() }
    }
    if ($read.Status -ne 'ok') {
        $facts['aad_log'] = $read.Status
    }
    $events = @($read.Records)
    $failureEvents = 0
    $counts = @{}
    $implicates = @{}
    foreach ($record in $events) {
        # Data: the event's property values (culture-free); the rendered message is never read.
        $codes = @(Get-RmCodesFromText -Text ($record.Data -join "`n"))
        foreach ($code in $codes) {
            $counts[$code] = 1 + [int]$counts[$code]
            if (-not $implicates.ContainsKey($code)) {
                $implicates[$code] = Test-RmUserStateCode -Code $code
            }
        }
        $sid = 'unknown'
        if ($record.UserSid) {
            $sid = $record.UserSid
        }
        if (-not $users.ContainsKey($sid)) {
            $users[$sid] = [ordered]@{ events = 0; last = $record.Time; codes = @{}; failures = @{}; last_failure = $null }
        }
        $user = $users[$sid]
        $user.events += 1
        if ($record.Time -gt $user.last) {
            $user.last = $record.Time
        }
        # A failure: a code that implicates the user's sign-in state, in an event that is not a warning.
        $failure = $false
        $warning = $Desired.WarningIds -contains [int]$record.Id
        foreach ($code in $codes) {
            $user.codes[$code] = 1 + [int]$user.codes[$code]
            if ($implicates[$code] -and -not $warning) {
                $user.failures[$code] = 1 + [int]$user.failures[$code]
                $failure = $true
            }
        }
        if ($failure) {
            $failureEvents += 1
            if ($null -eq $user.last_failure -or $record.Time -gt $user.last_failure) {
                $user.last_failure = $record.Time
            }
        }
    }
    Add-RmEvidence -Evidence $Run.Evidence -Counts $counts -Events $events.Count
    $brokerEvents = 0
    foreach ($provider in $Desired.AppModelProviders) {
        try {
            $appModel = Get-RmOsEvent -LogName $Desired.AppModelLog -ProviderName $provider -Since $since -MaxEvents ([int]$Options.max_events)
            $brokerEvents += @($appModel.Records | Where-Object { ($_.Data -join "`n").Contains($Desired.BrokerPackage) }).Count
        }
        catch {
            Write-RmLog -Message ('aad_evidence: ' + $provider + ': ' + $_.Exception.Message)
        }
    }
    $Run.Evidence['window_hours'] = [int]$Options.window_hours
    $facts['events'] = $events.Count
    $facts['failure_events'] = $failureEvents
    $facts['users'] = @($users.Keys | Where-Object { $_ -ne 'unknown' }).Count
    $facts['broker_state_events'] = $brokerEvents
    if ($Options.write_user_evidence) {
        foreach ($sid in @($users.Keys | Sort-Object)) {
            if ($sid -like 'S-1-5-21-*' -or $sid -like 'S-1-12-1-*') {
                $entry = $users[$sid]
                $codeText = (@($entry.codes.Keys | Sort-Object) | ForEach-Object { $_ + ':' + $entry.codes[$_] }) -join ','
                $failureText = (@($entry.failures.Keys | Sort-Object) | ForEach-Object { $_ + ':' + $entry.failures[$_] }) -join ','
                $lines = @(('last_event=' + (Get-RmStamp -Time $entry.last)), ('events=' + $entry.events), ('codes=' + $codeText))
                # The user package's gates read only these two: implicating codes, and when the newest such event was.
                $lines += @('failure_codes=' + $failureText)
                if ($null -ne $entry.last_failure) {
                    $lines += @('last_failure=' + (Get-RmStamp -Time $entry.last_failure))
                }
                Write-RmUserEvidence -Sid $sid -Lines $lines
            }
        }
    }
    if ($failureEvents -gt 0 -or $brokerEvents -gt 0) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'evidence_found' -Facts $facts
    }
    if ($events.Count -gt 0) {
        # Warnings, wrappers and interaction_required only: what healthy devices log all day.
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'routine_events_only' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_evidence' -Facts $facts
}

function Test-RmClockSync {
    <#
    .SYNOPSIS
    Detection for check clock_sync: Clock synchronised (W32Time running, sync enabled, offset within a threshold).
    .DESCRIPTION
    Signal: W32Time stopped with an automatic start type (option require_service_running, off by default), disabled or missing; W32Time\Parameters Type=NoSync; |offset| above threshold_seconds, measured with w32tm /stripchart against ntp_server (3 s deadline), else from the Date header of a HEAD request to http_date_url (2 s deadline); an unmeasurable offset is reported as a fact, not a failure
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Options = $Check.Options
    $Desired = $Check.Desired
    # Read-only. 1. Service and sync type (registry, so a missing StartType property cannot matter).
    $facts = [ordered]@{ threshold_s = [int]$Desired.ThresholdSeconds }
    $type = Get-RmRegistryValue -Path $Desired.ParametersPath -Name $Desired.TypeName
    if ($null -eq $type) {
        $type = 'unknown'
    }
    $facts['type'] = [string]$type
    $start = Get-RmRegistryValue -Path $Desired.ServicePath -Name $Desired.StartName
    $status = 'missing'
    $service = Get-RmOsService -Name $Desired.ServiceName
    if ($service.Exists) {
        $status = $service.Status
    }
    $facts['service'] = $status
    # 2. Offset against NTP: one stripchart sample ("hh:mm:ss, +00.0123456s"), bounded by Invoke-RmNative.
    $offset = $null
    $w32tm = Join-Path $env:SystemRoot $Desired.W32tm
    $chart = Invoke-RmNative -FilePath $w32tm -Arguments $Desired.StripchartArguments -TimeoutSeconds ([int]$Desired.NtpTimeoutSeconds)
    $sample = [regex]::Match([string]$chart.Output, $Desired.OffsetPattern, [System.Text.RegularExpressions.RegexOptions]::Multiline)
    if ($sample.Success) {
        $offset = [double]::Parse($sample.Groups[1].Value.Replace(',', '.'), [System.Globalization.CultureInfo]::InvariantCulture)
        $facts['source'] = 'ntp'
    }
    elseif ($chart.TimedOut) {
        $facts['ntp'] = 'timeout'
    }
    else {
        $facts['ntp'] = 'no_sample'
    }
    # 3. Fallback: the Date header of a HEAD request. HttpClient runs the request on a worker thread, so
    # Wait() bounds DNS and proxy discovery too (HttpWebRequest.Timeout does not cover name resolution).
    if ($null -eq $offset) {
        $http = Get-RmOsHttpDate -Uri $Desired.HttpDateUrl -TimeoutMs ([int]$Desired.HttpTimeoutMs)
        if ($null -ne $http.Date) {
            $offset = ((Get-RmOsTime) - $http.Date).TotalSeconds
            $facts['source'] = 'http_date'
        }
        else {
            $facts['http'] = $http.Problem
        }
    }
    # 4. Verdict. What the fix may not touch (sync type, a disabled or missing service) is advisory.
    if ($null -eq $offset) {
        $facts['offset_s'] = 'unmeasured'
    }
    else {
        $facts['offset_s'] = [math]::Round($offset, 1)
    }
    $tooFar = ($null -ne $offset) -and ([math]::Abs($offset) -gt [int]$Desired.ThresholdSeconds)
    if ($status -eq 'missing') {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'w32time_missing' -Facts $facts
    }
    if ([string]$type -eq $Desired.NoSyncType) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'sync_disabled' -Facts $facts
    }
    if ($null -ne $start -and [int]$start -eq [int]$Desired.StartDisabled) {
        $facts['start'] = 'disabled'
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'w32time_disabled' -Facts $facts
    }
    $stopped = ($status -ne 'Running')
    $reason = ''
    # W32Time is trigger-start (Start=3) on Entra-joined and workgroup devices: stopped is normal there, so
    # only an automatic service that is stopped can fail on its own, and only when the option asks for it.
    $automatic = ($null -ne $start -and [int]$start -eq [int]$Desired.StartAutomatic)
    if ($stopped -and $automatic -and $Options.require_service_running) {
        $reason = 'w32time_stopped'
    }
    if ($tooFar) {
        $reason = 'clock_offset'
    }
    if ($reason) {
        $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason $reason -Facts $facts
        $finding['plan'] = [ordered]@{ StartService = $stopped; DomainTime = ([string]$type -eq $Desired.DomainType) }
        return $finding
    }
    if ($null -eq $offset) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'offset_unmeasured' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'clock_in_sync' -Facts $facts
}

function Repair-RmClockSync {
    <#
    .SYNOPSIS
    Remediation for check clock_sync (safe).
    .DESCRIPTION
    Fix: start W32Time when stopped, then w32tm /resync /force; the time source is never changed (a domain-joined NT5DS device keeps its domain hierarchy); NoSync or a disabled service is advisory. Right after a start the service may have no time data yet: a fix that does not verify then is 'deferred' (resync_pending), not failed, and costs no backoff attempt
    Backup: nothing is changed but the service state (the previous state is in the log)
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmRepairStep calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    $Desired = $Check.Desired
    # Start the service if the detection found it stopped, then resync from the source already configured.
    # Never w32tm /config: the time source (NTP peer list, or NT5DS on a domain-joined device) is not ours.
    $plan = $Finding.plan
    $resync = $null
    $facts = [ordered]@{ domain_time = [bool]$plan.DomainTime }
    if ($plan.StartService) {
        if ($PSCmdlet.ShouldProcess($Desired.ServiceName, 'Start-Service')) {
            try {
                Start-RmOsService -Name $Desired.ServiceName -TimeoutSeconds ([int]$Desired.StartTimeoutSeconds)
                Write-RmLog -Message ($Check.Id + ': started ' + $Desired.ServiceName + ' (it was stopped)')
                $facts['started'] = $true
            }
            catch {
                $facts['message'] = $_.Exception.Message
                return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'start_failed' -Facts $facts
            }
        }
        else {
            $facts['would_start'] = $Desired.ServiceName
        }
    }
    $w32tm = Join-Path $env:SystemRoot $Desired.W32tm
    if ($PSCmdlet.ShouldProcess($w32tm, $Desired.ResyncArguments)) {
        # A resync right after the service starts may find no time data yet: the runtime's second detection,
        # not this exit code, decides whether the clock is now right.
        $resync = Invoke-RmNative -FilePath $w32tm -Arguments $Desired.ResyncArguments -TimeoutSeconds ([int]$Desired.ResyncTimeoutSeconds)
        $facts['resync_exit'] = $resync.ExitCode
        $facts['resync_timed_out'] = $resync.TimedOut
        Write-RmLog -Message ($Check.Id + ': w32tm ' + $Desired.ResyncArguments + ' exit ' + $resync.ExitCode)
    }
    else {
        $facts['would_run'] = 'w32tm ' + $Desired.ResyncArguments
    }
    $fixed = New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
    # A service started just now (or a resync past its deadline) may correct the clock later ("no time data
    # available" for a while): if the verification still fails, that is pending, not a failed fix.
    if ($facts.Contains('started') -or ($null -ne $resync -and $resync.TimedOut)) {
        $fixed['pending'] = 'resync_pending'
    }
    return $fixed
}

function Test-RmTls12Machine {
    <#
    .SYNOPSIS
    Detection for check tls12_machine: TLS 1.2 enabled for the machine (SCHANNEL client, WinHTTP).
    .DESCRIPTION
    Signal: SCHANNEL TLS 1.2 Client Enabled=0 or DisabledByDefault=1; WinHTTP DefaultSecureProtocols (both registry views) present without bit 0x800; a machine policy SecureProtocols without 0x800 is reported, never changed; .NET SchUseStrongCrypto/SystemDefaultTlsVersions reported as facts
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Desired = $Check.Desired
    # Collect every change the fix would make; the remediation applies exactly this plan.
    $plan = New-Object System.Collections.Generic.List[object]
    $facts = [ordered]@{}
    foreach ($rule in $Desired.Schannel) {
        $value = Get-RmRegistryValue -Path $Desired.SchannelPath -Name $rule.Name
        if ($null -eq $value) {
            continue
        }
        $facts[('schannel_' + $rule.Name)] = [long]$value
        $bad = (($rule.BadWhen -eq 'zero') -and ([long]$value -eq 0)) -or (($rule.BadWhen -eq 'nonzero') -and ([long]$value -ne 0))
        if ($bad) {
            $plan.Add([ordered]@{ Path = $Desired.SchannelPath; Name = $rule.Name; Value = [int]$rule.Good })
        }
    }
    foreach ($path in $Desired.WinHttpPaths) {
        $value = Get-RmRegistryValue -Path $path -Name $Desired.WinHttpName
        if ($null -ne $value -and (([long]$value -band $Desired.Bit) -eq 0)) {
            $facts[('winhttp_' + @($Desired.WinHttpPaths).IndexOf($path))] = ('0x{0:X}' -f [long]$value)
            $plan.Add([ordered]@{ Path = $path; Name = $Desired.WinHttpName; Value = [int]([long]$value -bor $Desired.Bit) })
        }
    }
    foreach ($path in $Desired.DotNetPaths) {
        foreach ($name in $Desired.DotNetNames) {
            $value = Get-RmRegistryValue -Path $path -Name $name
            if ($null -ne $value -and [long]$value -eq 0) {
                $facts[('dotnet_' + $name + '_off')] = $true
            }
        }
    }
    $policy = Get-RmRegistryValue -Path $Desired.PolicyPath -Name $Desired.PolicyName
    $policyBlocks = ($null -ne $policy) -and (([long]$policy -band $Desired.Bit) -eq 0)
    if ($policyBlocks) {
        $facts['policy_secureprotocols'] = ('0x{0:X}' -f [long]$policy)
    }
    if ($plan.Count -gt 0) {
        $reason = 'winhttp_without_tls12'
        if (@($plan | Where-Object { $_.Path -eq $Desired.SchannelPath }).Count -gt 0) {
            $reason = 'schannel_client_disabled'
        }
        $facts['changes'] = $plan.Count
        $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason $reason -Facts $facts
        $finding['plan'] = $plan.ToArray()
        return $finding
    }
    if ($policyBlocks) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'policy_without_tls12' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'tls12_enabled' -Facts $facts
}

function Repair-RmTls12Machine {
    <#
    .SYNOPSIS
    Remediation for check tls12_machine (safe).
    .DESCRIPTION
    Fix: set Enabled=1 / DisabledByDefault=0, add bit 0x800 to DefaultSecureProtocols keeping the other bits; reports reboot_required (never reboots)
    Backup: old values in <ProgramData>\remediate\backup\tls12_machine.tsv
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmRepairStep calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    # Apply the plan the detection made; every old value goes to the backup file first.
    $changed = 0
    foreach ($item in @($Finding.plan)) {
        if (Set-RmRegistryValue -Path $item.Path -Name $item.Name -Value $item.Value -Kind 'DWord' -Check $Check.Id) {
            $changed += 1
        }
    }
    $facts = [ordered]@{ changed = $changed; reboot_required = ($changed -gt 0) }
    if ($WhatIfPreference) {
        $facts['would_set'] = @($Finding.plan | ForEach-Object { $_.Path + '\' + $_.Name + '=' + $_.Value })
    }
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
}

function Test-RmNetworkEndpoint {
    <#
    .SYNOPSIS
    Detection for check network_endpoints: Sign-in endpoints reachable (DNS, TCP 443, TLS 1.2 without inspection), WinHTTP proxy, NCSI probe.
    .DESCRIPTION
    Signal: for each configured endpoint, concurrently: DNS (2 s), TCP 443 (3 s), TLS 1.2 handshake (3 s) and the certificate issuer, which must contain a public CA fragment (else TLS inspection, advisory); TCP/TLS failures advisory (proxy/firewall); WinHTTP proxy reported (binary WinHttpSettings value, 'unknown' when absent or unparsable); NlaSvc\Parameters\Internet EnableActiveProbing=0 fails unless policy NoActiveProbe=1 (advisory); names that do not resolve fail only when other names work end to end on a direct connection (stale cache), else advisory (offline, DNS down, proxy/PAC, captive portal)
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Desired = $Check.Desired
    # Read-only.
    $facts = [ordered]@{}
    # 1. WinHTTP proxy (SYSTEM's own traffic and many services go through it), from the binary WinHttpSettings
    # value: netsh prints it in the system's language. Unreadable or unparsable is 'unknown', never 'direct'.
    try {
        $proxy = ConvertFrom-RmWinHttpSetting -Value @(Get-RmRegistryValue -Path $Desired.ProxyPath -Name $Desired.ProxyName)
    }
    catch {
        $proxy = 'unknown'
    }
    if ($proxy.Length -gt [int]$Desired.FactLength) {
        $proxy = $proxy.Substring(0, [int]$Desired.FactLength)
    }
    $facts['winhttp_proxy'] = $proxy
    # 2. DNS, TCP 443 and TLS 1.2 to every endpoint at once.
    $probes = @(Test-RmOsEndpoint -Name $Desired.Endpoints -Port ([int]$Desired.Port) -DnsTimeoutMs ([int]$Desired.DnsTimeoutMs) -TcpTimeoutMs ([int]$Desired.TcpTimeoutMs) -TlsTimeoutMs ([int]$Desired.TlsTimeoutMs))
    # 3. Classify. Facts stay short: the whole result line must fit Intune's 2,048 characters.
    $dnsFailed = New-Object System.Collections.Generic.List[string]
    $otherFailed = New-Object System.Collections.Generic.List[string]
    $inspected = New-Object System.Collections.Generic.List[string]
    foreach ($probe in $probes) {
        $entry = ''
        if ($probe.Error.StartsWith('dns_')) {
            $dnsFailed.Add($probe.Name)
            continue
        }
        if ($probe.Error) {
            $entry = $probe.Name + ':' + $probe.Error
            $otherFailed.Add($entry.Substring(0, [math]::Min($entry.Length, [int]$Desired.FactLength)))
            continue
        }
        $issuer = $probe.Issuer
        $public = @($Desired.CaFragments | Where-Object { $issuer.IndexOf($_, [System.StringComparison]::OrdinalIgnoreCase) -ge 0 })
        if ($public.Count -eq 0) {
            $entry = $probe.Name + ':' + $issuer
            $inspected.Add($entry.Substring(0, [math]::Min($entry.Length, [int]$Desired.FactLength)))
        }
    }
    $facts['reachable'] = $probes.Count - $dnsFailed.Count - $otherFailed.Count
    if ($dnsFailed.Count -gt 0) {
        $facts['dns_failed'] = $dnsFailed.ToArray()
    }
    if ($otherFailed.Count -gt 0) {
        $facts['failed'] = $otherFailed.ToArray()
    }
    if ($inspected.Count -gt 0) {
        $facts['tls_inspection'] = $inspected.ToArray()
    }
    # 4. NCSI active probe (Windows decides 'no internet' without it; some apps then refuse to sign in). Only a
    # policy NoActiveProbe=1 turns the probe off on purpose; 0 (or anything else) is the policy left at "off".
    $ncsi = Get-RmRegistryValue -Path $Desired.NcsiPath -Name $Desired.NcsiName
    $ncsiPolicy = Get-RmRegistryValue -Path $Desired.NcsiPolicyPath -Name $Desired.NcsiPolicyName
    $ncsiOff = ($ncsi -is [int]) -and ($ncsi -eq 0)
    $ncsiByPolicy = ($ncsiPolicy -is [int]) -and ($ncsiPolicy -eq [int]$Desired.NcsiPolicyOff)
    if ($ncsiOff) {
        $facts['ncsi_probe'] = 0
    }
    if ($ncsiPolicy -is [int]) {
        $facts['ncsi_policy'] = $ncsiPolicy
    }
    elseif ($null -ne $ncsiPolicy) {
        $facts['ncsi_policy'] = 'not_a_dword'
    }
    # 5. Verdict. A DNS flush only for the pattern a stale cache explains: on a direct connection, some names do
    # not resolve while others work end to end (DNS, TCP, TLS with a public CA), so the network and its DNS
    # server are fine. Every name failing (offline, DNS server down), a proxy or PAC (the proxy resolves names),
    # or names that resolve but do not reach a public certificate (captive portal, TLS inspection): a flush
    # cannot help and would fail every run; advisory.
    $behindProxy = @('direct', 'unknown') -notcontains $proxy
    $working = $probes.Count - $dnsFailed.Count - $otherFailed.Count - $inspected.Count
    $plan = New-Object System.Collections.Generic.List[string]
    if ($ncsiOff -and -not $ncsiByPolicy) {
        $plan.Add('ncsi')
    }
    if ($dnsFailed.Count -gt 0 -and $working -gt 0 -and -not $behindProxy) {
        $plan.Add('flush_dns')
    }
    if ($plan.Count -gt 0) {
        $reason = 'ncsi_probe_disabled'
        if ($plan.Contains('flush_dns')) {
            $reason = 'name_resolution_failed'
        }
        $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason $reason -Facts $facts
        $finding['plan'] = $plan.ToArray()
        return $finding
    }
    $advice = ''
    if ($ncsiOff) {
        $advice = 'ncsi_probe_off_by_policy'
    }
    if ($dnsFailed.Count -gt 0) {
        $advice = 'name_resolution_failed_behind_proxy'
        if (-not $behindProxy) {
            # Read only now (CIM calls cost time): no adapter up or no default route is an offline device.
            $network = Get-RmOsNetwork -Prefix $Desired.DefaultRoute
            $advice = 'dns_unavailable'
            if (($null -ne $network.Adapters -and @($network.Adapters).Count -eq 0) -or ($null -ne $network.Routes -and @($network.Routes).Count -eq 0)) {
                $advice = 'offline'
            }
        }
    }
    if ($otherFailed.Count -gt 0) {
        $advice = 'endpoint_unreachable'
    }
    if ($inspected.Count -gt 0) {
        $advice = 'tls_inspection'
    }
    if ($advice) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason $advice -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'endpoints_reachable' -Facts $facts
}

function Repair-RmNetworkEndpoint {
    <#
    .SYNOPSIS
    Remediation for check network_endpoints (safe).
    .DESCRIPTION
    Fix: set EnableActiveProbing=1 (backed up) unless policy NoActiveProbe=1; Clear-DnsClientCache when the failed names point to a stale cache; a proxy, firewall or inspecting proxy is never changed
    Backup: old EnableActiveProbing in <ProgramData>\remediate\backup\network_endpoints.tsv
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmRepairStep calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    $Desired = $Check.Desired
    # Apply the plan the detection made: re-enable the NCSI probe (backed up) and/or flush the DNS client cache.
    # Never a proxy, firewall or certificate change.
    $facts = [ordered]@{}
    foreach ($action in @($Finding.plan)) {
        if ($action -eq 'ncsi') {
            if (Set-RmRegistryValue -Path $Desired.NcsiPath -Name $Desired.NcsiName -Value ([int]$Desired.NcsiEnabled) -Kind 'DWord' -Check $Check.Id) {
                $facts['ncsi_probe'] = [int]$Desired.NcsiEnabled
            }
            else {
                $facts['would_set'] = $Desired.NcsiPath + '\' + $Desired.NcsiName + '=' + $Desired.NcsiEnabled
            }
        }
        if ($action -eq 'flush_dns') {
            if ($PSCmdlet.ShouldProcess('DNS client cache', 'Clear-DnsClientCache')) {
                try {
                    Clear-RmOsDnsCache
                    Write-RmLog -Message ($Check.Id + ': DNS client cache cleared after failed lookups')
                    $facts['dns_cache'] = 'cleared'
                }
                catch {
                    $facts['message'] = $_.Exception.Message
                    return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'dns_flush_failed' -Facts $facts
                }
            }
            else {
                $facts['would_clear'] = 'dns_cache'
            }
        }
    }
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
}

function Test-RmDeviceRegistration {
    <#
    .SYNOPSIS
    Detection for check device_registration: Device registration: join state, device authentication, hybrid join task.
    .DESCRIPTION
    Signal: dsregcmd /status device part (AzureAdJoined, DomainJoined, DeviceAuthStatus, TenantName as facts); a domain-joined device whose task \Microsoft\Windows\Workplace Join\Automatic-Device-Join is disabled fails unless policy autoWorkplaceJoin=0 disables hybrid join on purpose (advisory); DeviceAuthStatus FAILED (device disabled or deleted in Entra ID) is advisory: an admin action; dsregcmd timing out (18 s) or a join state that is not YES/NO is advisory (unknown)
    #>
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Desired = $Check.Desired
    # Read-only. 1. Device part of dsregcmd /status (the user/SSO part is meaningless as SYSTEM). On a domain-joined
    # device that is not hybrid joined it runs pre-join diagnostics and can take well over 10 s: the deadline is
    # sized for that, the output is read once per run (enabling the join task changes nothing it reports, so the
    # verification after a fix reuses it), and a timeout is advisory - unknown, never a failure.
    $facts = [ordered]@{}
    $status = $Run.Cache['dsregcmd_status']
    if ($null -eq $status) {
        $exe = Join-Path $env:SystemRoot $Desired.Dsregcmd
        $status = Invoke-RmNative -FilePath $exe -Arguments $Desired.StatusArguments -TimeoutSeconds ([int]$Desired.TimeoutSeconds)
    }
    if ($status.TimedOut) {
        $facts['dsregcmd_timeout_s'] = [int]$Desired.TimeoutSeconds
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'dsregcmd_timed_out' -Facts $facts
    }
    if ($status.ExitCode -ne 0) {
        $facts['dsregcmd_exit'] = $status.ExitCode
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'dsregcmd_unavailable' -Facts $facts
    }
    $Run.Cache['dsregcmd_status'] = $status
    $values = ConvertFrom-RmColonList -Text $status.Output
    foreach ($field in $Desired.Fields) {
        $value = [string]$values[$field.Name]
        if ($value) {
            if ($value.Length -gt [int]$Desired.FactLength) {
                $value = $value.Substring(0, [int]$Desired.FactLength)
            }
            $facts[$field.Fact] = $value
        }
    }
    # The join state must read YES or NO: a partial or unfamiliar layout, or a damaged value, is unknown - never
    # 'not joined', which would hide a broken hybrid join.
    $joinValues = @([string]$values['AzureAdJoined'], [string]$values['DomainJoined'])
    if (@($joinValues | Where-Object { @($Desired.Yes, $Desired.No) -notcontains $_ }).Count -gt 0) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'join_state_unknown' -Facts $facts
    }
    $domainJoined = ([string]$values['DomainJoined'] -eq $Desired.Yes)
    $authFailed = ([string]$values['DeviceAuthStatus']).StartsWith($Desired.AuthFailedPrefix, [System.StringComparison]::OrdinalIgnoreCase)
    # 2. On a domain-joined device: the hybrid join task, and whether policy turns hybrid join off on purpose.
    if ($domainJoined) {
        $taskState = 'missing'
        $task = Get-RmOsScheduledTask -TaskPath $Desired.TaskPath -TaskName $Desired.TaskName
        if ($task.Exists) {
            $taskState = $task.State
        }
        $facts['join_task'] = $taskState
        $policy = Get-RmRegistryValue -Path $Desired.PolicyPath -Name $Desired.PolicyName
        if ($null -ne $policy) {
            $facts['auto_join_policy'] = [int]$policy
        }
        if ($taskState -eq $Desired.TaskDisabled) {
            if ($null -ne $policy -and [int]$policy -eq 0) {
                return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'auto_join_disabled_by_policy' -Facts $facts
            }
            return New-RmFinding -Id $Check.Id -State 'fail' -Reason 'join_task_disabled' -Facts $facts
        }
    }
    # 3. Disabled or deleted in Entra ID: only an admin can fix it (dsregcmd /leave is never ours to run).
    if ($authFailed) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'device_auth_failed' -Facts $facts
    }
    if (-not $domainJoined -and [string]$values['AzureAdJoined'] -ne $Desired.Yes) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'not_joined' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'registration_ok' -Facts $facts
}

function Repair-RmDeviceRegistration {
    <#
    .SYNOPSIS
    Remediation for check device_registration (safe).
    .DESCRIPTION
    Fix: enable the Automatic-Device-Join task and start it (option start_task); never dsregcmd /leave, never a change to join policy
    Backup: nothing is copied: the task was disabled before (the log names the run that enabled it)
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmRepairStep calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Finding
    )
    $Desired = $Check.Desired
    # Enable (and start) the hybrid join task. Nothing else: never dsregcmd /leave, never join policy.
    $task = $Desired.TaskPath + $Desired.TaskName
    $facts = [ordered]@{}
    if (-not $PSCmdlet.ShouldProcess($task, 'Enable-ScheduledTask')) {
        $facts['would_enable'] = $task
        return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
    }
    try {
        Set-RmOsScheduledTask -TaskPath $Desired.TaskPath -TaskName $Desired.TaskName -Action Enable
    }
    catch {
        $facts['message'] = $_.Exception.Message
        return New-RmFinding -Id $Check.Id -State 'failed' -Reason 'enable_failed' -Facts $facts
    }
    Write-RmLog -Message ($Check.Id + ': enabled ' + $task + ' (it was disabled)')
    $facts['enabled'] = $true
    if ($Desired.StartTask -and $PSCmdlet.ShouldProcess($task, 'Start-ScheduledTask')) {
        # The task being enabled is what the detection verifies; a failed start is reported, not fatal (the
        # task's own logon and event triggers run it later).
        try {
            Set-RmOsScheduledTask -TaskPath $Desired.TaskPath -TaskName $Desired.TaskName -Action Start
            $facts['started'] = $true
        }
        catch {
            $facts['start_error'] = $_.Exception.Message
        }
    }
    return New-RmFinding -Id $Check.Id -State 'fixed' -Reason $Finding.reason -Facts $facts
}

function Test-RmVpnState {
    <#
    .SYNOPSIS
    Detection for check vpn_state: VPN connections and whether the default route goes through a tunnel.
    .DESCRIPTION
    Signal: Get-VpnConnection -AllUserConnection (built-in client) connected; network adapters up whose InterfaceDescription contains a configured VPN client pattern; the IPv4 default route (lowest route + interface metric) through one of those tunnels
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Desired = $Check.Desired
    # Read-only. Built-in VPN profiles, third-party VPN adapters, then the default route.
    $facts = [ordered]@{}
    $names = New-Object System.Collections.Generic.List[string]
    $tunnelIndexes = @{}
    $tunnelAliases = @{}
    $network = Get-RmOsNetwork -Prefix $Desired.DefaultRoute
    # 1. Built-in client: all-user profiles only (a per-user profile belongs to a user's session, not SYSTEM).
    # A part that could not be read is $null, and @($null) holds one $null: never loop over it.
    $connections = @()
    if ($null -eq $network.Vpn) {
        $facts['builtin_vpn'] = 'unavailable'
    }
    else {
        $connections = @($network.Vpn)
    }
    foreach ($connection in $connections) {
        $names.Add([string]$connection.Name)
        $tunnelAliases[[string]$connection.Name] = $true
    }
    # 2. Third-party clients: adapters up whose description contains a configured pattern.
    $adapters = @()
    if ($null -eq $network.Adapters) {
        $facts['adapters'] = 'unavailable'
    }
    else {
        $adapters = @($network.Adapters)
    }
    foreach ($adapter in $adapters) {
        $description = [string]$adapter.Description
        $hits = @($Desired.AdapterPatterns | Where-Object { $description.IndexOf($_, [System.StringComparison]::OrdinalIgnoreCase) -ge 0 })
        if ($hits.Count -gt 0) {
            $names.Add($description)
            $tunnelIndexes[[int]$adapter.Index] = $true
        }
    }
    # 3. Default route: the IPv4 0.0.0.0/0 route with the lowest route + interface metric.
    $viaTunnel = $false
    $best = $null
    $bestMetric = [int]::MaxValue
    $routes = @()
    if ($null -ne $network.Routes) {
        $routes = @($network.Routes)
    }
    foreach ($route in $routes) {
        $metric = [int]$route.Metric
        if ($null -ne $network.Metrics -and $network.Metrics.ContainsKey([int]$route.Index)) {
            $metric += [int]$network.Metrics[[int]$route.Index]
        }
        if ($metric -lt $bestMetric) {
            $best = $route
            $bestMetric = $metric
        }
    }
    $facts['default_route_if'] = 'none'
    if ($null -ne $best) {
        $viaTunnel = $tunnelIndexes.ContainsKey([int]$best.Index) -or $tunnelAliases.ContainsKey([string]$best.Alias)
        $alias = [string]$best.Alias
        if ($alias.Length -gt [int]$Desired.NameLength) {
            $alias = $alias.Substring(0, [int]$Desired.NameLength)
        }
        $facts['default_route_if'] = $alias
    }
    $facts['default_route_via_vpn'] = $viaTunnel
    if ($names.Count -eq 0) {
        return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'no_vpn' -Facts $facts
    }
    # Facts stay short: the whole result line must fit Intune's 2,048 characters.
    $short = New-Object System.Collections.Generic.List[string]
    foreach ($name in @($names | Select-Object -First ([int]$Desired.MaxNames))) {
        if ($name.Length -gt [int]$Desired.NameLength) {
            $name = $name.Substring(0, [int]$Desired.NameLength)
        }
        $short.Add($name)
    }
    $facts['tunnels'] = $short.ToArray()
    $reason = 'vpn_split_tunnel'
    if ($viaTunnel) {
        $reason = 'vpn_default_route'
    }
    return New-RmFinding -Id $Check.Id -State 'advisory' -Reason $reason -Facts $facts
}

function Test-RmOsVersion {
    <#
    .SYNOPSIS
    Detection for check os_version: Windows build at or above the supported floor.
    .DESCRIPTION
    Signal: HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion CurrentBuild below the configured floor (option min_build); UBR and DisplayVersion reported
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Run', Justification = 'the uniform check signature, as Invoke-RmDetect calls it')]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Check,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Run
    )
    $Desired = $Check.Desired
    # Read-only: three registry values, no WMI (keeps the check well inside its 1 s budget).
    $facts = [ordered]@{ min_build = [int]$Desired.MinBuild }
    try {
        $buildText = Get-RmRegistryValue -Path $Desired.Path -Name $Desired.BuildName
        $ubr = Get-RmRegistryValue -Path $Desired.Path -Name $Desired.UbrName
        $display = Get-RmRegistryValue -Path $Desired.Path -Name $Desired.DisplayName
    }
    catch {
        # An advisory check that cannot read reports so; it never turns the detection into an error.
        $facts['build'] = 'unknown'
        $facts['message'] = $_.Exception.Message
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'build_unknown' -Facts $facts
    }
    $build = 0
    if ($null -eq $buildText -or -not [int]::TryParse([string]$buildText, [ref]$build)) {
        $facts['build'] = 'unknown'
        return New-RmFinding -Id $Check.Id -State 'skipped' -Reason 'build_unknown' -Facts $facts
    }
    $facts['build'] = $build
    if ($null -ne $ubr) {
        $facts['ubr'] = [long]$ubr
    }
    if ($null -ne $display) {
        $facts['display_version'] = [string]$display
    }
    if ($build -lt [int]$Desired.MinBuild) {
        return New-RmFinding -Id $Check.Id -State 'advisory' -Reason 'os_build_below_floor' -Facts $facts
    }
    return New-RmFinding -Id $Check.Id -State 'pass' -Reason 'os_build_supported' -Facts $facts
}

# ---- the checks of this package, in ladder order (least invasive first) ----
$RmChecks = @(
    [ordered]@{
        'Id' = 'aad_evidence'
        'Tier' = 'advisory'
        'Fix' = $false
        'EvidenceGated' = $false
        'Detect' = 'Test-RmAadEvidence'
        'Repair' = ''
        'Options' = [ordered]@{
            'window_hours' = 72
            'max_events' = 2000
            'appmodel_providers' = @(
                'Microsoft-Windows-AppModel-State'
            )
            'write_user_evidence' = $true
        }
        'Desired' = [ordered]@{
            'Log' = 'Microsoft-Windows-AAD/Operational'
            'EventIds' = @(
                1081,
                1084,
                1085,
                1097,
                1098,
                1104,
                1160
            )
            'WarningIds' = @(
                1097
            )
            'AppModelLog' = 'Application'
            'AppModelProviders' = @(
                'Microsoft-Windows-AppModel-State'
            )
            'BrokerPackage' = 'Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy'
        }
    },
    [ordered]@{
        'Id' = 'clock_sync'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $false
        'Detect' = 'Test-RmClockSync'
        'Repair' = 'Repair-RmClockSync'
        'Options' = [ordered]@{
            'ntp_server' = 'time.windows.com'
            'threshold_seconds' = 300
            'http_date_url' = 'https://login.microsoftonline.com/'
            'require_service_running' = $false
        }
        'Desired' = [ordered]@{
            'ServiceName' = 'W32Time'
            'ServicePath' = 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time'
            'StartName' = 'Start'
            'StartAutomatic' = 2
            'StartDisabled' = 4
            'ParametersPath' = 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters'
            'TypeName' = 'Type'
            'NoSyncType' = 'NoSync'
            'DomainType' = 'NT5DS'
            'W32tm' = 'System32\w32tm.exe'
            'StripchartArguments' = '/stripchart /computer:time.windows.com /samples:1 /dataonly'
            'OffsetPattern' = ',\s*([+-][0-9]+(?:[.,][0-9]+)?)s\s*$'
            'ResyncArguments' = '/resync /force'
            'HttpDateUrl' = 'https://login.microsoftonline.com/'
            'ThresholdSeconds' = 300
            'NtpTimeoutSeconds' = 3
            'HttpTimeoutMs' = 2000
            'ResyncTimeoutSeconds' = 4
            'StartTimeoutSeconds' = 10
        }
    },
    [ordered]@{
        'Id' = 'tls12_machine'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $false
        'Detect' = 'Test-RmTls12Machine'
        'Repair' = 'Repair-RmTls12Machine'
        'Options' = [ordered]@{
            'include_winhttp' = $true
        }
        'Desired' = [ordered]@{
            'SchannelPath' = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client'
            'Schannel' = @(
                [ordered]@{
                    'Name' = 'Enabled'
                    'BadWhen' = 'zero'
                    'Good' = 1
                },
                [ordered]@{
                    'Name' = 'DisabledByDefault'
                    'BadWhen' = 'nonzero'
                    'Good' = 0
                }
            )
            'WinHttpPaths' = @(
                'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp',
                'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp'
            )
            'WinHttpName' = 'DefaultSecureProtocols'
            'Bit' = 2048
            'PolicyPath' = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings'
            'PolicyName' = 'SecureProtocols'
            'DotNetPaths' = @(
                'HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319',
                'HKLM:\SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319'
            )
            'DotNetNames' = @(
                'SchUseStrongCrypto',
                'SystemDefaultTlsVersions'
            )
        }
    },
    [ordered]@{
        'Id' = 'network_endpoints'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $false
        'Detect' = 'Test-RmNetworkEndpoint'
        'Repair' = 'Repair-RmNetworkEndpoint'
        'Options' = [ordered]@{
            'endpoints' = @(
                'login.microsoftonline.com',
                'login.microsoft.com',
                'login.windows.net',
                'device.login.microsoftonline.com',
                'enterpriseregistration.windows.net',
                'aadcdn.msauth.net'
            )
            'public_ca_fragments' = @(
                'DigiCert',
                'Microsoft',
                'GlobalSign',
                'Baltimore',
                'Entrust',
                'Let''s Encrypt'
            )
        }
        'Desired' = [ordered]@{
            'Endpoints' = @(
                'login.microsoftonline.com',
                'login.microsoft.com',
                'login.windows.net',
                'device.login.microsoftonline.com',
                'enterpriseregistration.windows.net',
                'aadcdn.msauth.net'
            )
            'Port' = 443
            'CaFragments' = @(
                'DigiCert',
                'Microsoft',
                'GlobalSign',
                'Baltimore',
                'Entrust',
                'Let''s Encrypt'
            )
            'DnsTimeoutMs' = 2000
            'TcpTimeoutMs' = 3000
            'TlsTimeoutMs' = 3000
            'ProxyPath' = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
            'ProxyName' = 'WinHttpSettings'
            'DefaultRoute' = '0.0.0.0/0'
            'NcsiPath' = 'HKLM:\SYSTEM\CurrentControlSet\Services\NlaSvc\Parameters\Internet'
            'NcsiName' = 'EnableActiveProbing'
            'NcsiEnabled' = 1
            'NcsiPolicyPath' = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\NetworkConnectivityStatusIndicator'
            'NcsiPolicyName' = 'NoActiveProbe'
            'NcsiPolicyOff' = 1
            'FactLength' = 60
        }
    },
    [ordered]@{
        'Id' = 'device_registration'
        'Tier' = 'safe'
        'Fix' = $true
        'EvidenceGated' = $false
        'Detect' = 'Test-RmDeviceRegistration'
        'Repair' = 'Repair-RmDeviceRegistration'
        'Options' = [ordered]@{
            'start_task' = $true
        }
        'Desired' = [ordered]@{
            'Dsregcmd' = 'System32\dsregcmd.exe'
            'StatusArguments' = '/status'
            'TimeoutSeconds' = 18
            'Fields' = @(
                [ordered]@{
                    'Name' = 'AzureAdJoined'
                    'Fact' = 'azure_ad_joined'
                },
                [ordered]@{
                    'Name' = 'DomainJoined'
                    'Fact' = 'domain_joined'
                },
                [ordered]@{
                    'Name' = 'DeviceAuthStatus'
                    'Fact' = 'device_auth'
                },
                [ordered]@{
                    'Name' = 'TenantName'
                    'Fact' = 'tenant'
                }
            )
            'Yes' = 'YES'
            'No' = 'NO'
            'AuthFailedPrefix' = 'FAILED'
            'FactLength' = 40
            'TaskPath' = '\Microsoft\Windows\Workplace Join\'
            'TaskName' = 'Automatic-Device-Join'
            'TaskDisabled' = 'Disabled'
            'PolicyPath' = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WorkplaceJoin'
            'PolicyName' = 'autoWorkplaceJoin'
            'StartTask' = $true
        }
    },
    [ordered]@{
        'Id' = 'vpn_state'
        'Tier' = 'advisory'
        'Fix' = $false
        'EvidenceGated' = $false
        'Detect' = 'Test-RmVpnState'
        'Repair' = ''
        'Options' = [ordered]@{
            'adapter_patterns' = @(
                'PANGP',
                'AnyConnect',
                'Fortinet',
                'Juniper',
                'WireGuard',
                'Wintun',
                'TAP-Windows',
                'OpenVPN'
            )
        }
        'Desired' = [ordered]@{
            'AdapterPatterns' = @(
                'PANGP',
                'AnyConnect',
                'Fortinet',
                'Juniper',
                'WireGuard',
                'Wintun',
                'TAP-Windows',
                'OpenVPN'
            )
            'DefaultRoute' = '0.0.0.0/0'
            'MaxNames' = 4
            'NameLength' = 40
        }
    },
    [ordered]@{
        'Id' = 'os_version'
        'Tier' = 'advisory'
        'Fix' = $false
        'EvidenceGated' = $false
        'Detect' = 'Test-RmOsVersion'
        'Repair' = ''
        'Options' = [ordered]@{
            'min_build' = 19045
        }
        'Desired' = [ordered]@{
            'Path' = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
            'BuildName' = 'CurrentBuild'
            'UbrName' = 'UBR'
            'DisplayName' = 'DisplayVersion'
            'MinBuild' = 19045
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
