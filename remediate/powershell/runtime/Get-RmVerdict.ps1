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
