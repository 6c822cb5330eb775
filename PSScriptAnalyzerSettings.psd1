# PSScriptAnalyzer settings for every script remediate delivers (editors and CI pick this file up by its name).
# All default rules, plus compatibility with Windows PowerShell 5.1 (the only host Intune runs scripts with).
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
