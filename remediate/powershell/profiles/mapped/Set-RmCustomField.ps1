function Set-RmCustomField {
    <#
    .SYNOPSIS
    Stores the status line in the RMM's custom field named by the profile's custom-field input (remediate/rmm.py
    CustomField): NinjaOne through the agent's Ninja-Property-Set, Datto RMM as a UDF in the registry.
    A failure is logged, never shown: the output is the result.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'writes the NinjaOne custom field, an output channel like the result line: it runs in every run, dry runs included')]
    param([Parameter(Mandatory = $true)][string]$Text)
    if (-not $RmOutput.CustomField.Kind) {
        return
    }
    $target = Get-RmInputValue -Names $RmRmm.Names['CustomField']
    if (-not $target) {
        return
    }
    try {
        if ($RmOutput.CustomField.Kind -eq 'datto_udf') {
            Set-RmDattoUdf -Number $target -Text $Text
        }
        else {
            Set-RmNinjaField -Field $target -Text $Text
        }
    }
    catch {
        Write-RmLog -Message ('custom field ' + $target + ' not written: ' + $_.Exception.Message)
    }
}
