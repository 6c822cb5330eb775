function Get-RmEvidenceFolder {
    <#
    .SYNOPSIS
    Where the device package leaves per-user sign-in evidence for the user package to read.
    #>
    return (Join-Path $env:ProgramData 'remediate\evidence')
}
