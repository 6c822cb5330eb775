function ConvertFrom-RmWinHttpSetting {
    <#
    .SYNOPSIS
    The WinHTTP default proxy from the binary WinHttpSettings value: 'direct', 'auto', the proxy list, or
    'unknown'.
    .DESCRIPTION
    The culture-free source of what 'netsh winhttp show proxy' prints in the system's language. The value
    (HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections, REG_BINARY) is, in
    little-endian DWORDs: structure version (0x18), change counter, flags (0x1 direct, 0x2 named proxy,
    0x4 auto-config URL, 0x8 auto-detect; netsh writes 0x1 or 0x3), proxy length, proxy (ASCII), bypass
    length, bypass (ASCII). The Windows default is 18000000 00000000 01000000 00000000 00000000: direct.
    Anything else - absent, not binary, too short, a length past the end, unprintable text - is 'unknown':
    a wrong 'direct' would allow a DNS flush behind a proxy. -Value takes the bytes as
    Get-RmRegistryValue returns them (a function's array output arrives unrolled).
    #>
    param([AllowNull()][object[]]$Value)
    if ($null -eq $Value -or $Value.Count -lt 20 -or @($Value | Where-Object { $_ -isnot [byte] }).Count -gt 0) {
        return 'unknown'
    }
    $bytes = [byte[]]$Value
    $flags = [System.BitConverter]::ToUInt32($bytes, 8)
    $proxyLength = [long][System.BitConverter]::ToUInt32($bytes, 12)
    if (16 + $proxyLength + 4 -gt $bytes.Length) {
        return 'unknown'
    }
    $bypassLength = [long][System.BitConverter]::ToUInt32($bytes, [int](16 + $proxyLength))
    if (20 + $proxyLength + $bypassLength -gt $bytes.Length) {
        return 'unknown'
    }
    # Printable ASCII only (the decoder would turn other bytes into '?', which looks like a proxy name).
    for ($i = 16; $i -lt 16 + $proxyLength; $i++) {
        if ($bytes[$i] -lt 0x20 -or $bytes[$i] -gt 0x7E) {
            return 'unknown'
        }
    }
    $proxy = [System.Text.Encoding]::ASCII.GetString($bytes, 16, [int]$proxyLength)
    if (($flags -band 2) -and $proxy.Trim()) {
        return $proxy.Trim()
    }
    if ($flags -band 12) {
        return 'auto'
    }
    if ($flags -band 1) {
        return 'direct'
    }
    return 'unknown'
}
