function Get-RmStateSummary {
    <#
    .SYNOPSIS
    Which checks the backoff state holds back: ids in 'backoff' (cooldown running) and in 'needs_attention'
    (attempt limit reached), read from the state file without changing it.
    #>
    $state = Get-RmState
    $ids = @($state.Keys | Where-Object { $_ -like '*.failures' } | ForEach-Object { $_.Substring(0, $_.Length - 9) } | Sort-Object)
    $summary = [ordered]@{ backoff = @(); needs_attention = @() }
    foreach ($id in $ids) {
        $gate = Test-RmBackoff -State $state -Id $id
        if ($gate -ne 'ok') {
            $summary[$gate] = @($summary[$gate]) + @($id)
        }
    }
    return $summary
}
