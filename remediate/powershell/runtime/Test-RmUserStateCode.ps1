function Test-RmUserStateCode {
    <#
    .SYNOPSIS
    Whether a canonical code ('0xCAA20002', 'AADSTS50126') is a failure that implicates the user's sign-in state.
    .DESCRIPTION
    Rendered from remediate/codes.py (implicates_user_state): exact codes first, then the first family rule.
    Routine noise on healthy devices (the 0xCAA5001C wrapper, interaction_required, the needs-UI layer) and
    network or server-verdict codes are not.
    #>
    param([Parameter(Mandatory = $true)][string]$Code)
    if ($RmCodeTable.ContainsKey($Code) -or $Code.StartsWith('AADSTS')) {
        return ($RmUserStateCodes -contains $Code)
    }
    $value = [Convert]::ToInt64($Code.Substring(2), 16)
    foreach ($rule in $RmCodeFamilies) {
        if (($value -band $rule.Mask) -eq $rule.Match) {
            return [bool]$rule.UserState
        }
    }
    return $false
}
