function Get-RmOsTime {
    <#
    .SYNOPSIS
    OS seam: the current time in UTC. Every clock reading of the scripts goes through here, so that tests
    can run a script on a simulated day (backoff, evidence windows, retention).
    #>
    return [DateTime]::UtcNow
}
