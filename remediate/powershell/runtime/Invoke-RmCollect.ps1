function Invoke-RmCollect {
    <#
    .SYNOPSIS
    The collect run: writes the support bundle <data root>\collect\bundle-<package>.zip (replaced each run)
    and answers its path, size, SHA-256 and file list. Changes nothing else on the machine.
    .DESCRIPTION
    Size-capped: each item at most MaxItemBytes (a log keeps its newest part), the bundle at most
    MaxBundleBytes before compression; what does not fit is named in index.txt and the result.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    $started = [DateTime]::UtcNow
    $result = New-RmResult -Context $Context
    $untrusted = Initialize-RmDataRoot
    if ($untrusted) {
        $result.reason = $untrusted
        return $result
    }
    $folder = Join-Path (Get-RmDataRoot) 'collect'
    $null = New-Item -ItemType Directory -Path $folder -Force
    $path = Join-Path $folder ('bundle-' + $RmConfig.Package + '.zip')
    Add-Type -AssemblyName System.IO.Compression
    $budget = [ordered]@{ used = 0; files = (New-Object System.Collections.Generic.List[string]); omitted = (New-Object System.Collections.Generic.List[string]) }
    $stream = [System.IO.File]::Open($path, [System.IO.FileMode]::Create)
    try {
        $archive = New-Object System.IO.Compression.ZipArchive($stream, [System.IO.Compression.ZipArchiveMode]::Create)
        try {
            Add-RmBundleSource -Archive $archive -Budget $budget -Context $Context
            $index = @('remediate support bundle', ('package: ' + $RmConfig.Package), ('computer: ' + $Context.Computer), ('collected: ' + (Get-RmStamp)), '', 'files:') + @($budget.files) + @('', 'left out (size cap or not available):') + @($budget.omitted)
            $null = Add-RmBundleEntry -Archive $archive -Budget $budget -Name 'index.txt' -Text ($index -join "`r`n")
        }
        finally {
            $archive.Dispose()
        }
    }
    finally {
        $stream.Dispose()
    }
    $bytes = [System.IO.File]::ReadAllBytes($path)
    $sha = [System.BitConverter]::ToString([System.Security.Cryptography.SHA256]::Create().ComputeHash($bytes)).Replace('-', '').ToLowerInvariant()
    $facts = [ordered]@{ path = $path; bytes = $bytes.Length; sha256 = $sha; files = $budget.files.ToArray(); omitted = $budget.omitted.ToArray() }
    Write-RmLog -Message ('collect: bundle ' + $path + ' ' + $bytes.Length + ' bytes, ' + $budget.files.Count + ' files')
    $result.findings = @(New-RmFinding -Id 'bundle' -State 'pass' -Reason 'collected' -Facts $facts)
    $result.verdict = 'compliant'
    $result.duration_ms = [int]([DateTime]::UtcNow - $started).TotalMilliseconds
    return $result
}
