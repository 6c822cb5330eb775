function Expand-RmTemplate {
    <#
    .SYNOPSIS
    Replaces {name} tokens in one pass (a value is never expanded again); unknown tokens stay as written.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Template,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Values
    )
    $text = ''
    foreach ($part in [regex]::Split($Template, '(\{[a-z_]+\})')) {
        $match = [regex]::Match($part, '^\{([a-z_]+)\}$')
        if ($match.Success -and $Values.Contains($match.Groups[1].Value)) {
            $text += [string]$Values[$match.Groups[1].Value]
        }
        else {
            $text += $part
        }
    }
    return $text
}
