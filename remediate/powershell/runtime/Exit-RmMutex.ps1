function Exit-RmMutex {
    <#
    .SYNOPSIS
    Releases a mutex taken by Enter-RmMutex.
    #>
    param([AllowNull()][object]$Mutex)
    if ($null -ne $Mutex) {
        $Mutex.ReleaseMutex()
        $Mutex.Dispose()
    }
}
