function ConvertFrom-RmColonList {
    <#
    .SYNOPSIS
    Parses 'Name : Value' lines (dsregcmd /status, w32tm /query) into a hashtable; later duplicates win.
    #>
    param([AllowEmptyString()][string]$Text)
    $values = @{}
    foreach ($line in ($Text -split "`r?`n")) {
        $match = [regex]::Match($line, '^\s*([A-Za-z][A-Za-z0-9 ()\-]*?)\s*:\s*(.*?)\s*$')
        if ($match.Success) {
            $values[$match.Groups[1].Value] = $match.Groups[2].Value
        }
    }
    return $values
}
