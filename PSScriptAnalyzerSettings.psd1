# PSScriptAnalyzer settings for every script remediate delivers and for its PowerShell sources.
# Source: remediate/data/PSScriptAnalyzerSettings.psd1 (`remediate lint` uses it); `remediate generate` copies it
# to the repository root, where editors and CI pick it up by its name. docs/linting.md says which linter checks what.
# All default rules, plus compatibility with Windows PowerShell 5.1 (the only host Intune runs scripts with).
# No rule is excluded: where a finding is a deliberate choice, the function carries a SuppressMessageAttribute
# with its justification.
@{
    IncludeDefaultRules = $true
    Severity = @('Error', 'Warning', 'Information')
    Rules = @{
        PSUseCompatibleSyntax = @{
            Enable = $true
            TargetVersions = @('5.1')
        }
        PSUseCompatibleCmdlets = @{
            compatibility = @('desktop-5.1.14393.206-windows')
        }
    }
}
