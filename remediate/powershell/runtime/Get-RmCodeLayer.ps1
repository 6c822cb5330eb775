function Get-RmCodeLayer {
    <#
    .SYNOPSIS
    The layer of a canonical code ('0xCAA20002' or 'AADSTS50126'): exact table first, then family rules.
    .DESCRIPTION
    The table and the rules are rendered from remediate/codes.py, so scripts classify codes as
    `remediate explain` does.
    #>
    param([Parameter(Mandatory = $true)][string]$Code)
    if ($RmCodeTable.ContainsKey($Code)) {
        return $RmCodeTable[$Code]
    }
    if ($Code.StartsWith('AADSTS')) {
        return 'aadsts'
    }
    $value = [Convert]::ToInt64($Code.Substring(2), 16)
    foreach ($rule in $RmCodeFamilies) {
        if (($value -band $rule.Mask) -eq $rule.Match) {
            return $rule.Layer
        }
    }
    return ''
}
