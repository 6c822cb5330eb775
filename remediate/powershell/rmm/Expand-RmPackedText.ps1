function Expand-RmPackedText {
    <#
    .SYNOPSIS
    ASCII text from the gzip + base64 chunks the renderer packed (the embedded user package and launcher), or
    from plain lines when the whole script is compressed already (the N-sight loader compresses them better).
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string[]]$Chunks)
    if (-not $RmUserLaunch.Packed) {
        return ($Chunks -join "`r`n")
    }
    $bytes = [Convert]::FromBase64String(($Chunks -join ''))
    $stream = New-Object -TypeName System.IO.MemoryStream -ArgumentList @(, $bytes)
    $gzip = New-Object -TypeName System.IO.Compression.GZipStream -ArgumentList @($stream, [System.IO.Compression.CompressionMode]::Decompress)
    $reader = New-Object -TypeName System.IO.StreamReader -ArgumentList @($gzip, [System.Text.Encoding]::ASCII)
    try {
        return $reader.ReadToEnd()
    }
    finally {
        $reader.Dispose()
    }
}
