function Set-RmDattoUdf {
    <#
    .SYNOPSIS
    Datto RMM: writes the text (cut to the UDF's 255 characters) to HKLM\SOFTWARE\CentraStage\Custom<N>; the
    agent uploads it as user-defined field N. N must be 1-30.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'writes the Datto RMM user-defined field, an output channel like the result line: it runs in every run, dry runs included')]
    param(
        [Parameter(Mandatory = $true)][string]$Number,
        [Parameter(Mandatory = $true)][string]$Text
    )
    $n = 0
    if (-not [int]::TryParse($Number, [ref]$n) -or $n -lt 1 -or $n -gt $RmOutput.CustomField.Count) {
        throw ('UDF number ' + $Number + ' is not 1-' + $RmOutput.CustomField.Count)
    }
    $value = $Text
    if ($value.Length -gt $RmOutput.CustomField.MaxChars) {
        $value = $value.Substring(0, $RmOutput.CustomField.MaxChars)
    }
    $key = Open-RmRegistryKey -Path 'HKLM:\SOFTWARE\CentraStage' -Create
    try {
        $key.SetValue(('Custom' + $n), $value, [Microsoft.Win32.RegistryValueKind]::String)
    }
    finally {
        $key.Close()
    }
    Write-RmLog -Message ('custom field Custom' + $n + ' written')
}
