function Add-RmBundleOwnFile {
    <#
    .SYNOPSIS
    The tool's own files for the support bundle: state, log (and its rolled-over part), registry backups and
    quarantine manifests. The quarantined items themselves (token files) are never read.
    #>
    param(
        [Parameter(Mandatory = $true)][object]$Archive,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Budget
    )
    $root = Get-RmDataRoot
    $own = [ordered]@{ 'remediate/state.txt' = (Get-RmStatePath); 'remediate/log.txt' = (Get-RmLogPath); 'remediate/log.1.txt' = ((Get-RmLogPath) + '.1') }
    foreach ($name in $own.Keys) {
        if ([System.IO.File]::Exists($own[$name])) {
            $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name $name -File $own[$name]
        }
    }
    $backup = Join-Path $root 'backup'
    if (Test-Path -LiteralPath $backup -PathType Container) {
        foreach ($file in @(Get-ChildItem -LiteralPath $backup -File | Where-Object { $_.Name -like '*.tsv*' } | Sort-Object -Property Name)) {
            $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name ('remediate/backup/' + $file.Name) -File $file.FullName
        }
    }
    $quarantine = Join-Path $root 'quarantine'
    if (Test-Path -LiteralPath $quarantine -PathType Container) {
        foreach ($set in @(Get-ChildItem -LiteralPath $quarantine -Directory | Sort-Object -Property Name)) {
            foreach ($name in @('manifest.tsv', 'manifest.undone.tsv')) {
                $manifest = Join-Path $set.FullName $name
                if ([System.IO.File]::Exists($manifest)) {
                    $null = Add-RmBundleEntry -Archive $Archive -Budget $Budget -Name ('remediate/quarantine/' + $set.Name + '/' + $name) -File $manifest
                }
            }
        }
    }
}
