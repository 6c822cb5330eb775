function Test-RmOsEndpoint {
    <#
    .SYNOPSIS
    OS seam: DNS, TCP and a TLS 1.2 handshake to every name at once; per name its Error ('' when all three
    worked, else 'dns_'/'tcp_'/'tls_' plus the cause) and the server certificate's Issuer.
    .DESCRIPTION
    Each phase runs for all names concurrently under one deadline (Wait-RmNetTask), so the whole probe is
    bounded by the sum of the three timeouts whatever the number of names. Normal certificate validation
    (no callback): a handshake that fails validation is an error, not an issuer.
    #>
    param(
        [Parameter(Mandatory = $true)][string[]]$Name,
        [Parameter(Mandatory = $true)][int]$Port,
        [Parameter(Mandatory = $true)][int]$DnsTimeoutMs,
        [Parameter(Mandatory = $true)][int]$TcpTimeoutMs,
        [Parameter(Mandatory = $true)][int]$TlsTimeoutMs
    )
    $probes = New-Object System.Collections.Generic.List[object]
    $until = [DateTime]::UtcNow.AddMilliseconds($DnsTimeoutMs)
    foreach ($endpoint in $Name) {
        $probe = [ordered]@{ Name = $endpoint; Task = $null; Address = $null; Client = $null; Stream = $null; Error = ''; Issuer = '' }
        try {
            $probe.Task = [System.Net.Dns]::GetHostAddressesAsync($endpoint)
        }
        catch {
            $probe.Error = 'dns_' + $_.Exception.GetType().Name
        }
        $probes.Add($probe)
    }
    try {
        foreach ($probe in $probes) {
            if ($null -eq $probe.Task) {
                continue
            }
            $outcome = Wait-RmNetTask -Task $probe.Task -Until $until
            if ($outcome -ne 'ok') {
                $probe.Error = 'dns_' + $outcome
                continue
            }
            $addresses = @($probe.Task.Result)
            $v4 = @($addresses | Where-Object { $_.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork })
            if ($v4.Count -gt 0) {
                $probe.Address = $v4[0]
            }
            elseif ($addresses.Count -gt 0) {
                $probe.Address = $addresses[0]
            }
            else {
                $probe.Error = 'dns_no_address'
            }
        }
        # 3. TCP 443 to every resolved address at once.
        $until = [DateTime]::UtcNow.AddMilliseconds($TcpTimeoutMs)
        foreach ($probe in @($probes | Where-Object { $null -ne $_.Address })) {
            try {
                $probe.Client = New-Object -TypeName System.Net.Sockets.TcpClient -ArgumentList $probe.Address.AddressFamily
                $probe.Task = $probe.Client.ConnectAsync($probe.Address, $Port)
            }
            catch {
                $probe.Task = $null
                $probe.Error = 'tcp_' + $_.Exception.GetType().Name
            }
        }
        foreach ($probe in @($probes | Where-Object { $null -ne $_.Client -and $null -ne $_.Task })) {
            $outcome = Wait-RmNetTask -Task $probe.Task -Until $until
            if ($outcome -ne 'ok') {
                $probe.Error = 'tcp_' + $outcome
            }
        }
        # 4. TLS 1.2 handshake with normal certificate validation (no callback), then the issuer.
        $until = [DateTime]::UtcNow.AddMilliseconds($TlsTimeoutMs)
        foreach ($probe in @($probes | Where-Object { $null -ne $_.Client -and -not $_.Error })) {
            try {
                $probe.Stream = New-Object -TypeName System.Net.Security.SslStream -ArgumentList @($probe.Client.GetStream(), $false)
                $noClientCertificates = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509CertificateCollection
                $probe.Task = $probe.Stream.AuthenticateAsClientAsync($probe.Name, $noClientCertificates, [System.Security.Authentication.SslProtocols]::Tls12, $false)
            }
            catch {
                $probe.Task = $null
                $probe.Error = 'tls_' + $_.Exception.GetType().Name
            }
        }
        foreach ($probe in @($probes | Where-Object { $null -ne $_.Stream -and $null -ne $_.Task -and -not $_.Error })) {
            $outcome = Wait-RmNetTask -Task $probe.Task -Until $until
            if ($outcome -eq 'ok') {
                $probe.Issuer = [string]$probe.Stream.RemoteCertificate.Issuer
            }
            else {
                $probe.Error = 'tls_' + $outcome
            }
        }
    }
    finally {
        # Closing the socket also ends a connect or handshake still pending past its deadline.
        foreach ($probe in $probes) {
            if ($null -ne $probe.Stream) {
                $probe.Stream.Close()
            }
            if ($null -ne $probe.Client) {
                $probe.Client.Close()
            }
        }
    }
    return @($probes | ForEach-Object { [ordered]@{ Name = $_.Name; Error = $_.Error; Issuer = $_.Issuer } })
}
