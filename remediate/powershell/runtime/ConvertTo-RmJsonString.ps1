function ConvertTo-RmJsonString {
    <#
    .SYNOPSIS
    Quotes a string as a JSON string made of printable ASCII only.
    .DESCRIPTION
    Intune passes output through the OEM code page, which mangles anything but ASCII, so every character
    outside 0x20-0x7E becomes a \uXXXX escape.
    #>
    param([AllowEmptyString()][string]$Text)
    $sb = New-Object System.Text.StringBuilder
    $null = $sb.Append('"')
    foreach ($ch in $Text.ToCharArray()) {
        $code = [int]$ch
        if ($ch -eq '"') {
            $null = $sb.Append('\"')
        }
        elseif ($ch -eq '\') {
            $null = $sb.Append('\\')
        }
        elseif ($code -lt 0x20 -or $code -gt 0x7E) {
            $null = $sb.Append(('\u{0:x4}' -f $code))
        }
        else {
            $null = $sb.Append($ch)
        }
    }
    $null = $sb.Append('"')
    return $sb.ToString()
}
