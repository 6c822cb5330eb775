function Enter-RmMutex {
    <#
    .SYNOPSIS
    Takes the package's Global\ named mutex without waiting; $null when another run holds it.
    .DESCRIPTION
    Overlapping scheduled runs (Intune retry, an RMM schedule, a technician) must not fix the same thing at
    once. An abandoned mutex (a previous run was killed) counts as acquired.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    $mutex = New-Object System.Threading.Mutex($false, $Name)
    $acquired = $false
    try {
        $acquired = $mutex.WaitOne(0)
    }
    catch [System.Threading.AbandonedMutexException] {
        $acquired = $true
    }
    if (-not $acquired) {
        $mutex.Dispose()
        return $null
    }
    return $mutex
}
