function Restore-RmRegistryBackup {
    <#
    .SYNOPSIS
    Puts back every registry value the package changed, from its backup files, newest change first.
    .DESCRIPTION
    Each line of backup\<check>.tsv (UTF-8: stamp, path, name, kind, old value or '<absent>') is a value as
    it was before one change. Applied newest first, the oldest line of a value is applied last: the value as
    it was before the first fix. '<absent>' values are deleted, and keys recorded as 'NoKey:N' are deleted
    again when empty. A file applied in full is renamed to <check>.tsv.undone-<stamp> (kept, never deleted),
    so a second undo finds nothing left to do. Returns counts per check; DWord, QWord and string kinds only.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()
    $outcome = [ordered]@{ restored = 0; failed = 0; checks = @() }
    $folder = Join-Path (Get-RmDataRoot) 'backup'
    if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
        return $outcome
    }
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    $entries = New-Object System.Collections.Generic.List[object]
    $files = @(Get-ChildItem -LiteralPath $folder -File -Filter '*.tsv' | Where-Object { $_.Extension -eq '.tsv' } | Sort-Object -Property Name)
    $failedFiles = @{}
    foreach ($file in $files) {
        foreach ($line in [System.IO.File]::ReadAllLines($file.FullName, $utf8)) {
            $parts = $line.Split([char]9, 5)
            if ($parts.Count -eq 5) {
                $entries.Add([ordered]@{ Stamp = $parts[0]; Path = $parts[1]; Name = $parts[2]; Kind = $parts[3]; Old = $parts[4]; File = $file.FullName; Seq = $entries.Count })
            }
        }
    }
    $ordered = @($entries | Sort-Object -Property @{ Expression = { $_.Stamp }; Descending = $true }, @{ Expression = { $_.Seq }; Descending = $true })
    foreach ($entry in $ordered) {
        try {
            if (Restore-RmRegistryEntry -Entry $entry) {
                $outcome.restored += 1
            }
        }
        catch {
            $outcome.failed += 1
            $failedFiles[$entry.File] = $true
            Write-RmLog -Message ('undo: could not restore ' + $entry.Path + '\' + $entry.Name + ': ' + $_.Exception.Message)
        }
    }
    $outcome.checks = @($files | ForEach-Object { $_.BaseName })
    foreach ($file in $files) {
        if (-not $failedFiles.ContainsKey($file.FullName) -and $PSCmdlet.ShouldProcess($file.FullName, 'mark backup as undone')) {
            $stamp = (Get-RmOsTime).ToString('yyyyMMddTHHmmssZ', [System.Globalization.CultureInfo]::InvariantCulture)
            Move-Item -LiteralPath $file.FullName -Destination ($file.FullName + '.undone-' + $stamp) -Force
        }
    }
    Write-RmLog -Message ('undo: registry values restored ' + $outcome.restored + ', failed ' + $outcome.failed)
    return $outcome
}
