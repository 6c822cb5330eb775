# remediate collect, second pipeline: sends a support bundle back as base64 lines, then one JSON line with
# its size (loaded by name by remediate/collect.py, which fills in the path it got from the collect script).
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$RmPath = '@@PATH@@'
$RmBytes = [System.IO.File]::ReadAllBytes($RmPath)
$RmText = [System.Convert]::ToBase64String($RmBytes)
for ($RmAt = 0; $RmAt -lt $RmText.Length; $RmAt += 65536) {
    Write-Output $RmText.Substring($RmAt, [System.Math]::Min(65536, $RmText.Length - $RmAt))
}
Write-Output ('{"bytes":' + $RmBytes.Length + '}')
