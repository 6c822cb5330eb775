# Pester 5 tests of the shared runtime helpers, run on Windows by .github/workflows/windows.yml.
# The helpers are dot-sourced from remediate/powershell/runtime with the settings a rendered script defines.

BeforeAll {
    $script:RmConfig = [ordered]@{
        Tool = 'test'; Package = 'pester'; Phase = 'detect'; RunAs = 'user'; DryRun = $false
        MutexName = 'Global\remediate-pester'; MaxAttempts = 3; CooldownMinutes = 60; CooldownMaxHours = 24
        QuarantineRetentionDays = 14; LogMaxKb = 64
    }
    $script:RmSchema = [ordered]@{
        Version = 1; MaxChars = 2048; States = @('pass', 'fail', 'fixed', 'deferred', 'advisory', 'error', 'skipped')
        OpenReasons = @('not_enabled'); ExitCodes = @{ 'detect:compliant' = 0; 'detect:non_compliant' = 1 }
    }
    $script:RmCodeTable = @{ '0xCAA20002' = 'oauth' }
    $script:RmCodeFamilies = @(@{ Mask = 268369920; Match = 178716672; Layer = 'urlmon' })
    $env:LOCALAPPDATA = Join-Path $TestDrive 'local'
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
    It 'reads the 64-bit view from any host' {
        Get-RmRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name 'CurrentBuild' | Should -Not -BeNullOrEmpty
    }
    It 'returns null for absent keys' {
        Get-RmRegistryValue -Path 'HKCU:\Software\remediate-does-not-exist' -Name 'x' | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-RmNative' {
    It 'captures output and the exit code' {
        $outcome = Invoke-RmNative -FilePath (Join-Path $env:windir 'System32\cmd.exe') -Arguments '/c echo hello& exit 3' -TimeoutSeconds 10
        $outcome.ExitCode | Should -Be 3
        $outcome.Output | Should -Match 'hello'
        $outcome.TimedOut | Should -BeFalse
    }
    It 'stops a program at the deadline' {
        $outcome = Invoke-RmNative -FilePath (Join-Path $env:windir 'System32\ping.exe') -Arguments '-n 30 127.0.0.1' -TimeoutSeconds 1
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
