function Invoke-RmCycle {
    <#
    .SYNOPSIS
    Detect, remediate and verify in one run (one PSRP pipeline instead of three): the fleet's cycle on the host.
    .DESCRIPTION
    The decision rules of a fleet cycle, written once (remediate/fleet.py reads the result lines in order):
      1. detect; stop there unless its verdict is 'non_compliant';
      2. remediate (a dry run when DryRun is set: it describes, changes nothing);
      3. stop after a dry run, or when the remediation's verdict is 'deferred', 'skipped' (another run holds
         the mutex: nothing was tried), 'failed' or 'error';
      4. otherwise detect again: verify.
    Each step's result carries its phase and cycle_step (detect | remediate | verify). The result of every step
    but the last is formatted into -Lines, which the caller writes before the last result, so Write-RmResult
    keeps the script's only exit. $RmConfig.Phase is left at the last step's phase: the exit code is that
    step's, as when the step runs as a script of its own. Run over WinRM/PSRP only: the script is not a file
    there, so there is no 64-bit relaunch, which would relay the last line only.
    #>
    param(
        [Parameter(Mandatory = $true)][object[]]$Checks,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.List[string]]$Lines
    )
    $steps = @(
        [ordered]@{ Step = 'detect'; Phase = 'detect' },
        [ordered]@{ Step = 'remediate'; Phase = 'remediate' },
        [ordered]@{ Step = 'verify'; Phase = 'detect' }
    )
    $result = $null
    foreach ($step in $steps) {
        if ($null -ne $result) {
            $Lines.Add((Format-RmResultLine -Result $result))
        }
        $RmConfig.Phase = $step.Phase
        $result = Invoke-RmPackage -Checks $Checks -Context $Context
        $result['cycle_step'] = $step.Step
        if ($step.Step -eq 'detect' -and $result.verdict -ne 'non_compliant') {
            break
        }
        if ($step.Step -eq 'remediate' -and ($RmConfig.DryRun -or @('deferred', 'skipped', 'failed', 'error') -contains $result.verdict)) {
            break
        }
    }
    return $result
}
