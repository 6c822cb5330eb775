function Get-RmUserEvidence {
    <#
    .SYNOPSIS
    Whether this user's recent sign-in failures implicate the state a fix touches (the evidence gate).
    .DESCRIPTION
    Reads the device package's file: last_failure and failure_codes ('CODE:count,...'). last_event/codes
    (every AAD event, noise included, as healthy devices log it) never open a gate. Gate.Codes (exact) and Gate.Layers
    name what implicates the fix; Gate.Routine codes never count. -Advice (never a fix) also reads
    last_event/codes and takes every non-routine code when Codes and Layers are empty. Mode 'always' opens
    the gate without evidence. Returns found, last (UTC), codes (the matching 'CODE:count,...') and source:
    always, device_evidence, not_implicating, future_stamp or none.
    #>
    param(
        [Parameter(Mandatory = $true)][int]$WindowHours,
        [Parameter(Mandatory = $true)][string]$Mode,
        [Parameter(Mandatory = $true)][string]$Sid,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Gate,
        [switch]$Advice
    )
    $evidence = [ordered]@{ found = $false; last = $null; codes = ''; source = 'none' }
    if ($Mode -eq 'always') {
        $evidence.found = $true
        $evidence.last = (Get-RmOsTime)
        $evidence.source = 'always'
        return $evidence
    }
    $values = Read-RmUserEvidenceFile -Sid $Sid
    $last = ConvertFrom-RmEvidenceStamp -Text $values['last_failure']
    $counts = ConvertFrom-RmCodeCount -Text ([string]$values['failure_codes'])
    if ($Advice) {
        $noise = ConvertFrom-RmEvidenceStamp -Text $values['last_event']
        if ($null -ne $noise -and ($null -eq $last -or $noise -gt $last)) {
            $last = $noise
        }
        $all = ConvertFrom-RmCodeCount -Text ([string]$values['codes'])
        foreach ($code in @($all.Keys)) {
            if (-not $counts.Contains($code) -or [int]$counts[$code] -lt [int]$all[$code]) {
                $counts[$code] = $all[$code]
            }
        }
    }
    if ($null -eq $last -or $last -lt (Get-RmOsTime).AddHours(-$WindowHours)) {
        return $evidence
    }
    # A failure "in the future" is a stamp written with a culture's calendar (th-TH: year 2569) or a broken
    # clock: not evidence, or it would stay "newer than the last clear" for centuries.
    if ($last -gt (Get-RmOsTime).AddMinutes(10)) {
        $evidence.source = 'future_stamp'
        return $evidence
    }
    $any = @($Gate.Codes).Count -eq 0 -and @($Gate.Layers).Count -eq 0
    $matched = New-Object System.Collections.Generic.List[string]
    foreach ($code in @($counts.Keys | Sort-Object)) {
        if (@($Gate.Routine) -contains $code) {
            continue
        }
        if ($any -or @($Gate.Codes) -contains $code -or @($Gate.Layers) -contains (Get-RmCodeLayer -Code $code)) {
            $matched.Add($code + ':' + $counts[$code])
        }
    }
    if ($matched.Count -eq 0) {
        $evidence.source = 'not_implicating'
        return $evidence
    }
    $evidence.found = $true
    $evidence.last = $last
    $evidence.codes = $matched -join ','
    $evidence.source = 'device_evidence'
    return $evidence
}
