# Runs many spliced scripts in one PowerShell process, for fleet-scale simulations (bench/field.py).
#
# One JSON job per stdin line: {"script": path, "env": {name: value}, "culture": "fi-FI"}. Each script runs with
# the call operator, so its `exit N` ends the script, not this process, and arrives as $LASTEXITCODE. Answers one
# JSON line per job: {"exit": N, "last": "<last output line>", "errors": <count of error records>}.
# Tests use `pwsh -File` per run instead (tests/simwin/run.py): this worker trades that fidelity for speed.
$ErrorActionPreference = 'Continue'
$stdin = [Console]::In
while ($true) {
    $line = $stdin.ReadLine()
    if ($null -eq $line) {
        break
    }
    $job = $line | ConvertFrom-Json -AsHashtable
    foreach ($name in $job['env'].Keys) {
        [Environment]::SetEnvironmentVariable($name, [string]$job['env'][$name])
    }
    [System.Globalization.CultureInfo]::CurrentCulture = [string]$job['culture']
    [System.Globalization.CultureInfo]::CurrentUICulture = [string]$job['culture']
    $Error.Clear()
    $global:LASTEXITCODE = -999
    $output = @(& $job['script'] 2>&1)
    $code = $global:LASTEXITCODE
    [System.Globalization.CultureInfo]::CurrentCulture = [System.Globalization.CultureInfo]::InvariantCulture
    $text = @($output | Where-Object { $_ -is [string] } | ForEach-Object { $_ })
    $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
    $last = ''
    if ($text.Count -gt 0) {
        $last = [string]$text[$text.Count - 1]
    }
    [Console]::Out.WriteLine((@{ exit = $code; last = $last; errors = $errors.Count } | ConvertTo-Json -Compress))
    [Console]::Out.Flush()
}
