# Pester 5 tests of the shared runtime helpers: run by tests/test_pester.py in every test run (PowerShell 7 on
# any OS) and on Windows PowerShell 5.1 by .github/workflows/windows.yml. Tests that need the real registry or
# Windows programs are skipped off Windows (the simulated Windows covers that logic: tests/test_sim_*.py).
# The helpers are dot-sourced from remediate/powershell/runtime with the settings a rendered script defines.

BeforeAll {
    $script:RmConfig = [ordered]@{
        Tool = 'test'; Package = 'pester'; Phase = 'detect'; RunAs = 'user'; DryRun = $false
        MutexName = 'Global\remediate-pester'; MaxAttempts = 3; CooldownMinutes = 60; CooldownMaxHours = 24; FailureExpiryDays = 7
        QuarantineRetentionDays = 14; LogMaxKb = 64
    }
    $script:RmSchema = [ordered]@{
        Version = 1; MaxChars = 2048; States = @('pass', 'fail', 'fixed', 'deferred', 'advisory', 'error', 'skipped')
        OpenReasons = @('not_enabled'); ExitCodes = @{ 'detect:compliant' = 0; 'detect:non_compliant' = 1 }
    }
    $script:RmCodeTable = @{ '0xCAA20002' = 'oauth' }
    $script:RmCodeFamilies = @(@{ Mask = 268369920; Match = 178716672; Layer = 'urlmon' })
    $env:LOCALAPPDATA = Join-Path $TestDrive 'local'
    $script:OnWindows = ($env:OS -eq 'Windows_NT')
    Get-ChildItem -Path (Join-Path $PSScriptRoot '..\..\remediate\powershell\runtime') -Filter '*.ps1' | ForEach-Object { . $_.FullName }
}

Describe 'ConvertTo-RmJson' {
    It 'escapes quotes, backslashes and non-ASCII' {
        ConvertTo-RmJson -Value ([string]('a"b\c' + [char]0x00E9)) | Should -Be '"a\"b\\c\u00e9"'
    }
    It 'keeps ordered keys and one-element arrays' {
        ConvertTo-RmJson -Value ([ordered]@{ b = @(1); a = $true; n = $null }) | Should -Be '{"b":[1],"a":true,"n":null}'
    }
    It 'round-trips through ConvertFrom-Json' {
        $json = ConvertTo-RmJson -Value ([ordered]@{ text = "line`r`nnext"; n = 3 })
        ($json | ConvertFrom-Json).text | Should -Be "line`r`nnext"
    }
}

Describe 'Get-RmCodesFromText' {
    It 'finds hex, unsigned and signed forms as one canonical code' {
        $codes = Get-RmCodesFromText -Text 'Error: 0xCAA20002 then 3399614466 and -895352830 and AADSTS50126'
        $codes | Should -Be @('0xCAA20002', 'AADSTS50126')
    }
    It 'ignores ordinary numbers' {
        @(Get-RmCodesFromText -Text 'took 1234567890 ms').Count | Should -Be 0
    }
}

Describe 'Format-RmResultLine' {
    It 'shrinks a large result under the limit and keeps the verdict and failing ids' {
        $findings = @(1..60 | ForEach-Object { New-RmFinding -Id ('check_' + $_) -State 'fail' -Reason 'r' -Facts ([ordered]@{ detail = ('x' * 80) }) })
        $result = [ordered]@{ schema_version = 1; package = 'p'; phase = 'detect'; verdict = 'non_compliant'; failing = @('check_1'); findings = $findings; evidence = [ordered]@{} }
        $line = Format-RmResultLine -Result $result
        $line.Length | Should -BeLessOrEqual 2048
        ($line | ConvertFrom-Json).verdict | Should -Be 'non_compliant'
        ($line | ConvertFrom-Json).failing | Should -Be @('check_1')
    }
}

Describe 'Backoff state' {
    It 'doubles the cooldown and stops at the attempt limit' {
        $state = @{}
        Test-RmBackoff -State $state -Id 'c' | Should -Be 'ok'
        Register-RmAttempt -State $state -Id 'c' -Succeeded $false
        Test-RmBackoff -State $state -Id 'c' | Should -Be 'backoff'
        Register-RmAttempt -State $state -Id 'c' -Succeeded $false
        Register-RmAttempt -State $state -Id 'c' -Succeeded $false
        Test-RmBackoff -State $state -Id 'c' | Should -Be 'needs_attention'
        Register-RmAttempt -State $state -Id 'c' -Succeeded $true
        Test-RmBackoff -State $state -Id 'c' | Should -Be 'ok'
    }
    It 'survives a save and a load' {
        $state = @{ 'c.failures' = '2' }
        Save-RmState -State $state
        (Get-RmState)['c.failures'] | Should -Be '2'
    }
}

Describe 'Move-RmToQuarantine' {
    It 'refuses paths outside the allowed roots and moves the others with a manifest' {
        $root = Join-Path $TestDrive 'cache'
        $null = New-Item -ItemType Directory -Path (Join-Path $root 'a') -Force
        { Move-RmToQuarantine -Path @('C:\Windows\System32') -AllowedRoot @($root) -Check 't' } | Should -Throw
        $outcome = Move-RmToQuarantine -Path @((Join-Path $root 'a')) -AllowedRoot @($root) -Check 't'
        $outcome.moved | Should -Be 1
        Test-Path (Join-Path $outcome.folder 'manifest.tsv') | Should -BeTrue
        Test-Path (Join-Path $root 'a') | Should -BeFalse
    }
}

Describe 'Registry helpers' {
    It 'reads the 64-bit view from any host' -Skip:($env:OS -ne 'Windows_NT') {
        Get-RmRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name 'CurrentBuild' | Should -Not -BeNullOrEmpty
    }
    It 'returns null for absent keys' -Skip:($env:OS -ne 'Windows_NT') {
        Get-RmRegistryValue -Path 'HKCU:\Software\remediate-does-not-exist' -Name 'x' | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-RmNative' {
    It 'captures output and the exit code' {
        if ($script:OnWindows) {
            $outcome = Invoke-RmNative -FilePath (Join-Path $env:windir 'System32\cmd.exe') -Arguments '/c echo hello& exit 3' -TimeoutSeconds 10
        }
        else {
            $outcome = Invoke-RmNative -FilePath '/bin/sh' -Arguments '-c "echo hello; exit 3"' -TimeoutSeconds 10
        }
        $outcome.ExitCode | Should -Be 3
        $outcome.Output | Should -Match 'hello'
        $outcome.TimedOut | Should -BeFalse
    }
    It 'stops a program at the deadline' {
        if ($script:OnWindows) {
            $outcome = Invoke-RmNative -FilePath (Join-Path $env:windir 'System32\ping.exe') -Arguments '-n 30 127.0.0.1' -TimeoutSeconds 1
        }
        else {
            $outcome = Invoke-RmNative -FilePath '/bin/sleep' -Arguments '30' -TimeoutSeconds 1
        }
        $outcome.TimedOut | Should -BeTrue
        $outcome.ExitCode | Should -Be -1
    }
    It 'reports a missing program without throwing' {
        $outcome = Invoke-RmNative -FilePath 'C:\does-not-exist.exe' -TimeoutSeconds 1
        $outcome.Started | Should -BeFalse
    }
}

Describe 'ConvertFrom-RmColonList' {
    It 'parses dsregcmd-style lines' {
        $values = ConvertFrom-RmColonList -Text "  AzureAdJoined : YES`r`n  DomainJoined : NO`r`n"
        $values['AzureAdJoined'] | Should -Be 'YES'
        $values['DomainJoined'] | Should -Be 'NO'
    }
}

Describe 'Time stamps in any culture' {
    It 'writes and reads <culture> as invariant UTC ISO 8601' -TestCases @(
        @{ culture = 'fi-FI' }, @{ culture = 'th-TH' }, @{ culture = 'ar-SA' }, @{ culture = 'en-US' }
    ) {
        $saved = [System.Globalization.CultureInfo]::CurrentCulture
        try {
            [System.Globalization.CultureInfo]::CurrentCulture = $culture
            $time = New-Object DateTime(2026, 11, 30, 12, 0, 0, [DateTimeKind]::Utc)
            $text = Get-RmStamp -Time $time
            $text | Should -Be '2026-11-30T12:00:00Z'
            (ConvertFrom-RmStamp -Text $text) | Should -Be $time
        }
        finally {
            [System.Globalization.CultureInfo]::CurrentCulture = $saved
        }
    }
}

Describe 'Failure expiry' {
    It 'forgets failures older than FailureExpiryDays' {
        $state = @{ 'c.failures' = '3'; 'c.last' = (Get-RmStamp -Time ([DateTime]::UtcNow.AddDays(-8))) }
        Test-RmBackoff -State $state -Id 'c' | Should -Be 'ok'
        $state.ContainsKey('c.failures') | Should -BeFalse
    }
    It 'keeps recent failures' {
        $state = @{ 'c.failures' = '3'; 'c.last' = (Get-RmStamp) }
        Test-RmBackoff -State $state -Id 'c' | Should -Be 'needs_attention'
    }
}

Describe 'Get-RmMinimalResultLine' {
    It 'stays valid JSON and keeps the verdict when nothing else fits' {
        $result = [ordered]@{ verdict = 'non_compliant'; failing = @(1..400 | ForEach-Object { 'check_number_' + $_ }) }
        $line = Get-RmMinimalResultLine -Result $result
        $line.Length | Should -BeLessOrEqual 2048
        $parsed = $line | ConvertFrom-Json
        $parsed.verdict | Should -Be 'non_compliant'
        $parsed.truncated | Should -BeTrue
        @($parsed.failing)[0] | Should -Be 'check_number_1'
    }
}

Describe 'Test-RmPathUnder' {
    It 'accepts a path strictly below the root and refuses the root itself and its siblings' {
        $root = Join-Path $TestDrive 'root'
        Test-RmPathUnder -Path (Join-Path $root 'a') -Root @($root) | Should -BeTrue
        Test-RmPathUnder -Path $root -Root @($root) | Should -BeFalse
        Test-RmPathUnder -Path ($root + 'x') -Root @($root) | Should -BeFalse
        Test-RmPathUnder -Path (Join-Path $root '..') -Root @($root) | Should -BeFalse
    }
}

Describe 'ConvertTo-RmJson edge cases' {
    It 'escapes control characters and text beyond the BMP as ASCII' {
        $text = [string][char]1 + [char]::ConvertFromUtf32(0x1F600)
        $json = ConvertTo-RmJson -Value $text
        $json | Should -Match '^"[\x20-\x7E]*"$'
        ($json | ConvertFrom-Json) | Should -Be $text
    }
    It 'writes an empty array and a null' {
        ConvertTo-RmJson -Value ([ordered]@{ a = @(); b = $null }) | Should -Be '{"a":[],"b":null}'
    }
}
