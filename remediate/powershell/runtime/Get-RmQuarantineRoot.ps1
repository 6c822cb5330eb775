function Get-RmQuarantineRoot {
    <#
    .SYNOPSIS
    The only folder under which the runtime ever deletes anything (old quarantine sets).
    #>
    return (Join-Path (Get-RmDataRoot) 'quarantine')
}
