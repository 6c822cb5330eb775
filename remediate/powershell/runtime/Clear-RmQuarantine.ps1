function Clear-RmQuarantine {
    <#
    .SYNOPSIS
    Deletes quarantine sets older than the retention period; never touches anything outside the root.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    param()
    $root = Get-RmQuarantineRoot
    if (-not (Test-Path -LiteralPath $root)) {
        return
    }
    $limit = (Get-RmOsTime).AddDays(-$RmConfig.QuarantineRetentionDays)
    foreach ($set in @(Get-ChildItem -LiteralPath $root -Directory)) {
        # A set's age comes from the UTC stamp in its name (written by Move-RmToQuarantine), not from file
        # times that a copy or restore can change.
        $created = $set.CreationTimeUtc
        $stamp = [DateTime]::MinValue
        if ([DateTime]::TryParseExact($set.Name.Split('-')[0], 'yyyyMMddTHHmmssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal,AssumeUniversal', [ref]$stamp)) {
            $created = $stamp
        }
        if ($created -lt $limit -and (Test-RmPathUnder -Path $set.FullName -Root @($root))) {
            if ($PSCmdlet.ShouldProcess($set.FullName, 'delete expired quarantine set')) {
                try {
                    Remove-Item -LiteralPath $set.FullName -Recurse -Force
                    Write-RmLog -Message ('purged quarantine set ' + $set.FullName)
                }
                catch {
                    # A locked file in an old set must not fail the run: the next run tries again.
                    Write-RmLog -Message ('could not purge quarantine set ' + $set.FullName + ': ' + $_.Exception.Message)
                }
            }
        }
    }
}
