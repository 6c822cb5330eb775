function Add-RmBundleEntry {
    <#
    .SYNOPSIS
    Adds one item to the support bundle: text (redacted, UTF-8) or a file (an .evtx as it is, a text file
    redacted), within the item and bundle size caps; returns the bytes added (0 when left out).
    .DESCRIPTION
    A text longer than MaxItemBytes keeps its end (the newest lines of a log). A binary file over the cap, or
    anything beyond the bundle's remaining budget, is left out and named in index.txt instead.
    #>
    param(
        [Parameter(Mandatory = $true)][object]$Archive,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Budget,
        [AllowEmptyString()][string]$Text = '',
        [string]$File = ''
    )
    $bytes = $null
    if ($File -and $File.EndsWith('.evtx', [System.StringComparison]::OrdinalIgnoreCase)) {
        $bytes = [System.IO.File]::ReadAllBytes($File)
        if ($bytes.Length -gt $RmTask.MaxItemBytes) {
            $bytes = $null
        }
    }
    else {
        if ($File) {
            $Text = [System.IO.File]::ReadAllText($File)
        }
        if ($Text.Length -gt $RmTask.MaxItemBytes) {
            $Text = $Text.Substring($Text.Length - $RmTask.MaxItemBytes)
        }
        $bytes = (New-Object System.Text.UTF8Encoding($false)).GetBytes((ConvertTo-RmRedactedText -Text $Text))
    }
    if ($null -eq $bytes -or $bytes.Length -gt ($RmTask.MaxBundleBytes - $Budget.used)) {
        $Budget.omitted.Add($Name)
        return 0
    }
    $stream = $Archive.CreateEntry($Name).Open()
    try {
        $stream.Write($bytes, 0, $bytes.Length)
    }
    finally {
        $stream.Dispose()
    }
    $Budget.used += $bytes.Length
    $Budget.files.Add($Name)
    return $bytes.Length
}
