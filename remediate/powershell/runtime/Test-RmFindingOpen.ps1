function Test-RmFindingOpen {
    <#
    .SYNOPSIS
    Whether a finding leaves a problem in place: it counts in 'failing' and, when skipped, in the verdict.
    .DESCRIPTION
    Open: any state but pass, fixed and advisory, except a 'skipped' whose reason is not one of OpenReasons
    (e.g. not applicable). A skip for not_enabled, backoff, needs_attention, dry_run or advisory_only is open.
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
