function ConvertTo-RmRedactedText {
    <#
    .SYNOPSIS
    Text for the support bundle with anything that looks like a secret replaced by '<redacted>'.
    .DESCRIPTION
    A second line of defence: secret stores (TokenBroker, cookies, credentials, quarantined items) are never
    read at all; this catches what a log line may carry: JWTs (eyJ...), 'Bearer ...', and values after
    password/secret/token/cookie/authorization keys, and the password in a user:password@host URL.
    #>
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text)
    $text = [regex]::Replace($Text, 'eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}(\.[A-Za-z0-9_\-]*)?', '<redacted>')
    $text = [regex]::Replace($text, '(://[^/\s:@]+:)[^@\s/]+@', '$1<redacted>@')
    $text = [regex]::Replace($text, '(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}', '$1 <redacted>')
    $keys = '(?i)\b((?:access_|refresh_|id_)?token|password|passwd|pwd|secret|client_secret|cookie|set-cookie|authorization|skypetoken|x-ms-[a-z-]*token)\b(\s*["'']?\s*[:=]\s*)("[^"]*"|''[^'']*''|[^\s,;&]+)'
    return [regex]::Replace($text, $keys, '$1$2<redacted>')
}
