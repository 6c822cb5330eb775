function Get-RmRmmInput {
    <#
    .SYNOPSIS
    The RMM inputs of this run, safe defaults when unset: detection only, no dry-run, state kept.
    #>
    return [ordered]@{
        Fix = (Test-RmInputOn -Key 'Fix')
        DryRun = (Test-RmInputOn -Key 'DryRun')
        ResetState = (Test-RmInputOn -Key 'ResetState')
    }
}
