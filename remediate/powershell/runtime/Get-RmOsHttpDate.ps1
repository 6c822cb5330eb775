function Get-RmOsHttpDate {
    <#
    .SYNOPSIS
    OS seam: the Date header (UTC) of a HEAD request to Uri, or $null with the Problem that prevented it.
    .DESCRIPTION
    HttpClient runs the request on a worker thread, so Wait() bounds DNS and proxy discovery too
    (HttpWebRequest.Timeout does not cover name resolution). Problem names the innermost cause; a
    WebException's Status (NameResolutionFailure, TrustFailure...) says most.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Uri,
        [Parameter(Mandatory = $true)][int]$TimeoutMs
    )
    $answer = [ordered]@{ Date = $null; Problem = '' }
    $client = $null
    try {
        Add-Type -AssemblyName System.Net.Http
        [System.Net.ServicePointManager]::SecurityProtocol = [System.Net.ServicePointManager]::SecurityProtocol -bor [System.Net.SecurityProtocolType]::Tls12
        $handler = New-Object -TypeName System.Net.Http.HttpClientHandler
        $handler.AllowAutoRedirect = $false
        $client = New-Object -TypeName System.Net.Http.HttpClient -ArgumentList $handler
        $client.Timeout = [TimeSpan]::FromMilliseconds($TimeoutMs)
        $request = New-Object -TypeName System.Net.Http.HttpRequestMessage -ArgumentList @([System.Net.Http.HttpMethod]::Head, $Uri)
        $task = $client.SendAsync($request)
        if ($task.Wait($TimeoutMs)) {
            $date = $task.Result.Headers.Date
            if ($null -ne $date) {
                $answer.Date = $date.UtcDateTime
            }
            else {
                $answer.Problem = 'no_date_header'
            }
            $task.Result.Dispose()
        }
        else {
            $client.CancelPendingRequests()
            $answer.Problem = 'timeout'
        }
    }
    catch {
        $cause = $_.Exception
        $webStatus = ''
        while ($null -ne $cause) {
            $answer.Problem = $cause.GetType().Name
            if ($cause -is [System.Net.WebException]) {
                $webStatus = [string]$cause.Status
            }
            $cause = $cause.InnerException
        }
        if ($webStatus) {
            $answer.Problem = $webStatus
        }
    }
    finally {
        if ($null -ne $client) {
            $client.Dispose()
        }
    }
    return $answer
}
