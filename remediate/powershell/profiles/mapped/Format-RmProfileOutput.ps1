function Format-RmProfileOutput {
    <#
    .SYNOPSIS
    The output lines and exit code of this script's profile ($RmOutput, rendered from remediate/rmm.py).
    .DESCRIPTION
    The RMM profiles map the outcome to their own code and expand their line templates (intune and json use
    the pass-through variant in remediate/powershell/profiles/passthrough). A result relayed from another
    process (a 64-bit relaunch, the interactive-user launcher) arrives as its JSON line: -Result is then
    $null and the line is parsed. A relaunched child answers in JSON, because its parent does the formatting.
    #>
    param(
        [AllowNull()][System.Collections.IDictionary]$Result,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Line,
        [Parameter(Mandatory = $true)][int]$ExitCode
    )
    if ($env:REMEDIATE_RELAUNCHED -eq '1') {
        return [ordered]@{ Lines = @($Line); ExitCode = $ExitCode }
    }
    if ($null -eq $Result) {
        $Result = ConvertFrom-RmResultLine -Line $Line
    }
    $outcome = Get-RmOutcome -Result $Result
    $values = Get-RmTemplateValue -Result $Result -Outcome $outcome -Line $Line
    $lines = New-Object System.Collections.Generic.List[string]
    foreach ($template in $RmOutput.Lines) {
        $lines.Add((Expand-RmTemplate -Template $template -Values $values))
    }
    Set-RmCustomField -Text $lines[$RmOutput.StatusIndex]
    return [ordered]@{ Lines = $lines.ToArray(); ExitCode = [int]$RmOutput.Outcomes[$outcome].Exit }
}
