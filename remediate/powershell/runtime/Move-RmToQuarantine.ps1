function Move-RmToQuarantine {
    <#
    .SYNOPSIS
    Moves files or folders into a new quarantine set with a manifest; nothing is deleted.
    .DESCRIPTION
    Every path must lie below one of AllowedRoot, or the call throws before moving anything. The set is
    <quarantine root>\<UTC time>-<check>\ with the items and manifest.tsv (original path, quarantined path).
    Undo: move each item back to its original path. Returns the number of items moved and the set folder.
    RetrySeconds: items that cannot be moved (held open, e.g. by WebView2 children of an app that was just
    closed) are tried again every half second until then.
    #>
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$Path,
        [Parameter(Mandatory = $true)][string[]]$AllowedRoot,
        [Parameter(Mandatory = $true)][string]$Check,
        [int]$RetrySeconds = 0
    )
    foreach ($p in $Path) {
        if (-not (Test-RmPathUnder -Path $p -Root $AllowedRoot)) {
            throw ('refusing to quarantine ' + $p + ': outside the allowed roots')
        }
    }
    $set = Join-Path (Get-RmQuarantineRoot) ((Get-RmOsTime).ToString('yyyyMMddTHHmmssZ', [System.Globalization.CultureInfo]::InvariantCulture) + '-' + $Check)
    $outcome = [ordered]@{ moved = 0; failed = 0; folder = $set }
    if ($Path.Count -eq 0 -or -not $PSCmdlet.ShouldProcess(($Path -join ', '), ('move to ' + $set))) {
        return $outcome
    }
    $null = New-Item -ItemType Directory -Path $set -Force
    $manifest = New-Object System.Collections.Generic.List[string]
    $pending = @(for ($i = 0; $i -lt $Path.Count; $i++) {
            [ordered]@{ Path = $Path[$i]; Target = (Join-Path $set ([string]($i + 1) + '-' + (Split-Path -Leaf $Path[$i]))); Error = '' }
        })
    $deadline = [DateTime]::UtcNow.AddSeconds($RetrySeconds)
    while ($pending.Count -gt 0) {
        foreach ($item in $pending) {
            try {
                Move-RmOsItem -Path $item.Path -Destination $item.Target
                $manifest.Add($item.Path + "`t" + $item.Target)
                $outcome.moved += 1
                $item.Error = $null
            }
            catch {
                $item.Error = $_.Exception.Message
            }
        }
        $pending = @($pending | Where-Object { $null -ne $_.Error })
        if ($pending.Count -eq 0 -or [DateTime]::UtcNow -ge $deadline) {
            break
        }
        Start-Sleep -Milliseconds 500
    }
    foreach ($item in $pending) {
        $outcome.failed += 1
        Write-RmLog -Message ($Check + ': could not quarantine ' + $item.Path + ': ' + $item.Error)
    }
    # UTF-8 (no BOM), so that undo finds non-ASCII user folders again; ASCII would turn them into '?'.
    [System.IO.File]::WriteAllLines((Join-Path $set 'manifest.tsv'), [string[]]$manifest, (New-Object System.Text.UTF8Encoding($false)))
    Write-RmLog -Message ($Check + ': quarantined ' + $outcome.moved + ' item(s) to ' + $set)
    return $outcome
}
