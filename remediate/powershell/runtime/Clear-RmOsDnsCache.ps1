function Clear-RmOsDnsCache {
    <#
    .SYNOPSIS
    OS seam: flushes the DNS client cache (ipconfig /flushdns); throws on failure.
    #>
    Clear-DnsClientCache -ErrorAction Stop
}
