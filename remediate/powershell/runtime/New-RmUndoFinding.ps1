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
