function Restore-RmQuarantine {
    <#
    .SYNOPSIS
    Moves every quarantined item back to where it was, newest quarantine set first; returns counts.
    .DESCRIPTION
    Each set's manifest.tsv (UTF-8: original path, quarantined path) lists what Move-RmToQuarantine moved.
    An item goes back only when its original path is free: a file the application has recreated since is
    never overwritten (it counts as a conflict and both stay). An item already back is skipped. A set that
    is back in full has its manifest renamed to manifest.undone.tsv, so a second undo finds nothing to do.
    Quarantined paths outside the quarantine root are refused.
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
