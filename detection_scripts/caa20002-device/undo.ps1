# generated from packaging/caa20002-device.toml by remediate 0.1.0; do not edit
# input-sha256: 1e961dcca13f20f2b676698d974428a7e6ffe844383228cec30c0cd8e6802a23
#
# CAA20002 sign-in failure - device checks - undo script
# Runs as: system (64-bit PowerShell). Deliver it like the remediation (Intune, an RMM tool) or
# run it with `remediate undo`. Puts back what the remediation changed, newest first: the registry values
# saved in remediate\backup\<check>.tsv and the items in remediate\quarantine\<set>\manifest.tsv. Nothing is
# deleted. Running it again changes nothing. REMEDIATE_DRY_RUN=1 only lists what it would put back.
# Contract: the last output line is one JSON result (ASCII, <= 2,048 characters); exit 0 = undone or nothing
# to undo, 1 = something could not be put back. Nothing is ever written to stderr.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$ProgressPreference = 'SilentlyContinue'

# ---- settings (rendered from the package; the dry-run switch can also be set with REMEDIATE_DRY_RUN=1) ----
$RmConfig = [ordered]@{
    'Tool' = '0.1.0'
    'Package' = 'caa20002-device'
    'Phase' = 'undo'
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

function ConvertFrom-RmStamp {
    <#
    .SYNOPSIS
    Reads a time written by Get-RmStamp back as a UTC DateTime (culture-independent).
    #>
    param([Parameter(Mandatory = $true)][string]$Text)
    return [DateTime]::ParseExact($Text, 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal')
}

function ConvertTo-RmDWord {
    <#
    .SYNOPSIS
    A REG_DWORD as the signed 32-bit number RegistryKey.SetValue takes: 0xFFFFFFFF is -1, not an overflow.
    #>
    param([Parameter(Mandatory = $true)][long]$Value)
    if ($Value -gt [int]::MaxValue) {
        $Value -= 4294967296
    }
    return [int]$Value
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

function Get-RmQuarantineRoot {
    <#
    .SYNOPSIS
    The only folder under which the runtime ever deletes anything (old quarantine sets).
    #>
    return (Join-Path (Get-RmDataRoot) 'quarantine')
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

function Get-RmStateSummary {
    <#
    .SYNOPSIS
    Which checks the backoff state holds back: ids in 'backoff' (cooldown running) and in 'needs_attention'
    (attempt limit reached), read from the state file without changing it.
    #>
    $state = Get-RmState
    $ids = @($state.Keys | Where-Object { $_ -like '*.failures' } | ForEach-Object { $_.Substring(0, $_.Length - 9) } | Sort-Object)
    $summary = [ordered]@{ backoff = @(); needs_attention = @() }
    foreach ($id in $ids) {
        $gate = Test-RmBackoff -State $state -Id $id
        if ($gate -ne 'ok') {
            $summary[$gate] = @($summary[$gate]) + @($id)
        }
    }
    return $summary
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

function Invoke-RmUndo {
    <#
    .SYNOPSIS
    The undo run: puts back the registry values and quarantined items of the package, newest first.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    $started = [DateTime]::UtcNow
    $result = New-RmResult -Context $Context
    $problem = Get-RmContextProblem -Context $Context
    if ($problem) {
        $result.verdict = $problem
        $result.reason = 'wrong_context'
        return $result
    }
    $untrusted = Initialize-RmDataRoot
    if ($untrusted) {
        $result.reason = $untrusted
        return $result
    }
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
    try {
        $registry = Restore-RmRegistryBackup -WhatIf:([bool]$RmConfig.DryRun)
        $files = Restore-RmQuarantine -WhatIf:([bool]$RmConfig.DryRun)
        $held = Get-RmStateSummary
    }
    finally {
        Exit-RmMutex -Mutex $mutex
    }
    $findings = @(
        (New-RmUndoFinding -Id 'registry' -Counts $registry),
        (New-RmUndoFinding -Id 'quarantine' -Counts $files),
        (New-RmFinding -Id 'state' -State 'advisory' -Reason 'backoff_state' -Facts $held)
    )
    $result.findings = $findings
    $result.failing = @($findings | Where-Object { Test-RmFindingOpen -Finding $_ } | ForEach-Object { $_.id })
    $result.verdict = Get-RmVerdict -Findings $findings
    $result.duration_ms = [int]([DateTime]::UtcNow - $started).TotalMilliseconds
    return $result
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

function New-RmUndoFinding {
    <#
    .SYNOPSIS
    The finding for one kind of undo (registry or quarantine) from its counts: failed, fixed (or, in dry-run,
    skipped/dry_run: something would go back), or pass (nothing left to undo).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'builds an in-memory finding; changes nothing on the system')]
    param(
        [Parameter(Mandatory = $true)][string]$Id,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Counts
    )
    if ($Counts.failed -gt 0) {
        return New-RmFinding -Id $Id -State 'failed' -Reason 'not_restored' -Facts $Counts
    }
    if ($Counts.restored -eq 0) {
        return New-RmFinding -Id $Id -State 'pass' -Reason 'nothing_to_undo' -Facts $Counts
    }
    if ($RmConfig.DryRun) {
        return New-RmFinding -Id $Id -State 'skipped' -Reason 'dry_run' -Facts $Counts
    }
    return New-RmFinding -Id $Id -State 'fixed' -Reason 'restored' -Facts $Counts
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

function Remove-RmEmptyRegistryKey {
    <#
    .SYNOPSIS
    Deletes a registry key and up to Depth - 1 of its parents, each only while it has no values and no
    subkeys; returns how many keys it deleted.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][int]$Depth
    )
    $deleted = 0
    $current = $Path
    while ($deleted -lt $Depth -and $current -match '^[A-Z]+:\\.+\\') {
        $key = Open-RmRegistryKey -Path $current
        if ($null -eq $key) {
            return $deleted
        }
        try {
            $empty = (@($key.GetValueNames()).Count -eq 0) -and (@($key.GetSubKeyNames()).Count -eq 0)
        }
        finally {
            $key.Close()
        }
        if (-not $empty -or -not $PSCmdlet.ShouldProcess($current, 'delete empty key')) {
            return $deleted
        }
        $cut = $current.LastIndexOf('\')
        $leaf = $current.Substring($cut + 1)
        $current = $current.Substring(0, $cut)
        $parent = Open-RmRegistryKey -Path $current -Writable
        try {
            $parent.DeleteSubKey($leaf, $false)
        }
        finally {
            $parent.Close()
        }
        $deleted += 1
    }
    return $deleted
}

function Restore-RmQuarantine {
    <#
    .SYNOPSIS
    Moves every quarantined item back to where it was, newest quarantine set first; returns counts.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()
    $outcome = [ordered]@{ restored = 0; failed = 0; sets = 0 }
    $root = Get-RmQuarantineRoot
    if (-not (Test-Path -LiteralPath $root -PathType Container)) {
        return $outcome
    }
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    foreach ($set in @(Get-ChildItem -LiteralPath $root -Directory | Sort-Object -Property Name -Descending)) {
        $manifest = Join-Path $set.FullName 'manifest.tsv'
        if (-not (Test-Path -LiteralPath $manifest -PathType Leaf)) {
            continue
        }
        $outcome.sets += 1
        $failed = 0
        foreach ($line in [System.IO.File]::ReadAllLines($manifest, $utf8)) {
            $parts = $line.Split([char]9)
            if ($parts.Count -ne 2) {
                continue
            }
            $answer = Restore-RmQuarantineItem -Original $parts[0] -Quarantined $parts[1] -Root $root
            if ($answer -eq 'restored') {
                $outcome.restored += 1
            }
            elseif ($answer -ne 'already') {
                $failed += 1
                Write-RmLog -Message ('undo: ' + $answer + ': ' + $parts[1] + ' -> ' + $parts[0])
            }
        }
        $outcome.failed += $failed
        if ($failed -eq 0 -and $PSCmdlet.ShouldProcess($manifest, 'mark quarantine set as undone')) {
            Move-Item -LiteralPath $manifest -Destination (Join-Path $set.FullName 'manifest.undone.tsv') -Force
        }
    }
    Write-RmLog -Message ('undo: quarantined items restored ' + $outcome.restored + ', failed ' + $outcome.failed)
    return $outcome
}

function Restore-RmQuarantineItem {
    <#
    .SYNOPSIS
    Moves one quarantined item back; answers 'restored', 'already', 'conflict', 'missing', 'outside_root' or
    'failed'.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)][string]$Original,
        [Parameter(Mandatory = $true)][string]$Quarantined,
        [Parameter(Mandatory = $true)][string]$Root
    )
    if (-not (Test-RmPathUnder -Path $Quarantined -Root @($Root))) {
        return 'outside_root'
    }
    $stored = Test-Path -LiteralPath $Quarantined
    if (Test-Path -LiteralPath $Original) {
        if ($stored) {
            return 'conflict'
        }
        return 'already'
    }
    if (-not $stored) {
        return 'missing'
    }
    if (-not $PSCmdlet.ShouldProcess($Quarantined, ('move back to ' + $Original))) {
        return 'restored'
    }
    try {
        $parent = Split-Path -Parent $Original
        if (-not (Test-Path -LiteralPath $parent)) {
            $null = New-Item -ItemType Directory -Path $parent -Force
        }
        Move-Item -LiteralPath $Quarantined -Destination $Original
        return 'restored'
    }
    catch {
        Write-RmLog -Message ('undo: could not move back ' + $Quarantined + ': ' + $_.Exception.Message)
        return 'failed'
    }
}

function Restore-RmRegistryBackup {
    <#
    .SYNOPSIS
    Puts back every registry value the package changed, from its backup files, newest change first.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()
    $outcome = [ordered]@{ restored = 0; failed = 0; checks = @() }
    $folder = Join-Path (Get-RmDataRoot) 'backup'
    if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
        return $outcome
    }
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    $entries = New-Object System.Collections.Generic.List[object]
    $files = @(Get-ChildItem -LiteralPath $folder -File -Filter '*.tsv' | Where-Object { $_.Extension -eq '.tsv' } | Sort-Object -Property Name)
    $failedFiles = @{}
    foreach ($file in $files) {
        foreach ($line in [System.IO.File]::ReadAllLines($file.FullName, $utf8)) {
            $parts = $line.Split([char]9, 5)
            if ($parts.Count -eq 5) {
                $entries.Add([ordered]@{ Stamp = $parts[0]; Path = $parts[1]; Name = $parts[2]; Kind = $parts[3]; Old = $parts[4]; File = $file.FullName; Seq = $entries.Count })
            }
        }
    }
    $ordered = @($entries | Sort-Object -Property @{ Expression = { $_.Stamp }; Descending = $true }, @{ Expression = { $_.Seq }; Descending = $true })
    foreach ($entry in $ordered) {
        try {
            if (Restore-RmRegistryEntry -Entry $entry) {
                $outcome.restored += 1
            }
        }
        catch {
            $outcome.failed += 1
            $failedFiles[$entry.File] = $true
            Write-RmLog -Message ('undo: could not restore ' + $entry.Path + '\' + $entry.Name + ': ' + $_.Exception.Message)
        }
    }
    $outcome.checks = @($files | ForEach-Object { $_.BaseName })
    foreach ($file in $files) {
        if (-not $failedFiles.ContainsKey($file.FullName) -and $PSCmdlet.ShouldProcess($file.FullName, 'mark backup as undone')) {
            $stamp = (Get-RmOsTime).ToString('yyyyMMddTHHmmssZ', [System.Globalization.CultureInfo]::InvariantCulture)
            Move-Item -LiteralPath $file.FullName -Destination ($file.FullName + '.undone-' + $stamp) -Force
        }
    }
    Write-RmLog -Message ('undo: registry values restored ' + $outcome.restored + ', failed ' + $outcome.failed)
    return $outcome
}

function Restore-RmRegistryEntry {
    <#
    .SYNOPSIS
    Applies one backup line (see Restore-RmRegistryBackup): sets the old value, or deletes a value that was
    absent (and its keys when the fix created them). Returns whether it changed anything; throws on failure.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([bool])]
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Entry)
    $target = $Entry.Path + '\' + $Entry.Name
    if ($Entry.Old -eq '<absent>') {
        if (-not $PSCmdlet.ShouldProcess($target, 'delete value (it did not exist before)')) {
            return $true
        }
        $key = Open-RmRegistryKey -Path $Entry.Path -Writable
        if ($null -ne $key) {
            try {
                $key.DeleteValue($Entry.Name, $false)
            }
            finally {
                $key.Close()
            }
        }
        if ($Entry.Kind -match '^NoKey:([0-9]+)$') {
            $null = Remove-RmEmptyRegistryKey -Path $Entry.Path -Depth ([int]$Matches[1])
        }
        return $true
    }
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $value = switch ($Entry.Kind) {
        'DWord' { ConvertTo-RmDWord -Value ([long]::Parse($Entry.Old, $invariant)) }
        'QWord' { [long]::Parse($Entry.Old, $invariant) }
        'String' { $Entry.Old }
        'ExpandString' { $Entry.Old }
        default { throw ('cannot restore a value of kind ' + $Entry.Kind) }
    }
    if (-not $PSCmdlet.ShouldProcess($target, ('set back to ' + $Entry.Old))) {
        return $true
    }
    $key = Open-RmRegistryKey -Path $Entry.Path -Create
    try {
        $key.SetValue($Entry.Name, $value, [Microsoft.Win32.RegistryValueKind]$Entry.Kind)
    }
    finally {
        $key.Close()
    }
    return $true
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
        $RmOutcome = Invoke-RmUndo -Context $RmContext
    }
}
catch {
    $RmOutcome = New-RmErrorResult -ErrorRecord $_
}
Write-RmResult -Result $RmOutcome -Relaunch $RmRelaunch
