function Format-RmProfileOutput {
    <#
    .SYNOPSIS
    Output profiles intune and json: the JSON result line and the phase/verdict exit code, unchanged.
    .DESCRIPTION
    The renderer inlines this variant or the mapped one (remediate/powershell/profiles/mapped), by profile.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', 'Result', Justification = 'same signature as the mapped variant (profiles/mapped), which Write-RmResult calls alike')]
    param(
        [AllowNull()][System.Collections.IDictionary]$Result,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Line,
        [Parameter(Mandatory = $true)][int]$ExitCode
    )
    return [ordered]@{ Lines = @($Line); ExitCode = $ExitCode }
}
