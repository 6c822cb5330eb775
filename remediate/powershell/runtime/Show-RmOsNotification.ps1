function Show-RmOsNotification {
    <#
    .SYNOPSIS
    OS seam: a toast in the user's session, else a msg.exe box to this session; whether shown. Never throws.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$Title,
        [Parameter(Mandatory = $true)][string]$Text
    )
    try {
        $manager = [Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]
        $xml = $manager::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)
        $nodes = $xml.GetElementsByTagName('text')
        $null = $nodes.Item(0).AppendChild($xml.CreateTextNode($Title))
        $null = $nodes.Item(1).AppendChild($xml.CreateTextNode($Text))
        $toast = New-Object Windows.UI.Notifications.ToastNotification($xml)
        $manager::CreateToastNotifier('{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\WindowsPowerShell\v1.0\powershell.exe').Show($toast)
        return $true
    }
    catch {
        try {
            $session = [System.Diagnostics.Process]::GetCurrentProcess().SessionId
            $msg = Join-Path ([Environment]::SystemDirectory) 'msg.exe'
            $null = Start-Process -FilePath $msg -ArgumentList @([string]$session, '/TIME:120', ('"' + $Title + ': ' + $Text.Replace('"', "'") + '"')) -WindowStyle Hidden -PassThru
            return $true
        }
        catch {
            return $false
        }
    }
}
