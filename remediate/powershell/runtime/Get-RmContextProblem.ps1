function Get-RmContextProblem {
    <#
    .SYNOPSIS
    The verdict to stop with when the package runs in the wrong context, or '' when the context is right.
    .DESCRIPTION
    A user package started as SYSTEM or over WinRM would act on the wrong profile: it is skipped and changes
    nothing. A device package without administrator rights cannot read or fix the machine: that is an error.
    #>
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Context)
    if ($RmConfig.RunAs -eq 'user' -and $Context.Account -ne 'user') {
        return 'skipped'
    }
    if ($RmConfig.RunAs -eq 'system' -and -not $Context.IsAdmin) {
        return 'error'
    }
    return ''
}
