function Set-RmNinjaField {
    <#
    .SYNOPSIS
    NinjaOne: Ninja-Property-Set FIELD VALUE, when the agent provides the command. Its result is checked: an
    error record or a failing native exit code throws, for Set-RmCustomField to log.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'writes the NinjaOne custom field, an output channel like the result line: it runs in every run, dry runs included')]
    param(
        [Parameter(Mandatory = $true)][string]$Field,
        [Parameter(Mandatory = $true)][string]$Text
    )
    $command = Get-Command -Name 'Ninja-Property-Set' -ErrorAction SilentlyContinue
    if ($null -eq $command) {
        Write-RmLog -Message ('custom field ' + $Field + ' not written: Ninja-Property-Set is not available')
        return
    }
    $global:LASTEXITCODE = 0
    $answer = @(& $command $Field $Text 2>&1)
    $failures = @($answer | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
    if ($failures.Count -gt 0) {
        throw ('Ninja-Property-Set: ' + [string]$failures[0])
    }
    if ($LASTEXITCODE -ne 0) {
        throw ('Ninja-Property-Set exit ' + $LASTEXITCODE + ' ' + (@($answer) -join ' '))
    }
    Write-RmLog -Message ('custom field ' + $Field + ' written')
}
