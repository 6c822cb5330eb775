function Set-RmOsAcl {
    <#
    .SYNOPSIS
    OS seam: gives a folder or file a protected DACL: SYSTEM and Administrators full control (inherited by
    children of a folder), plus read for ReaderSid when given; nothing inherited from the parent.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '', Justification = 'OS seam: protects the own data folder of remediate and evidence files right after creating them; dry runs keep them protected too')]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [string]$ReaderSid = ''
    )
    $isFolder = Test-Path -LiteralPath $Path -PathType Container
    if ($isFolder) {
        $acl = New-Object System.Security.AccessControl.DirectorySecurity
        $inherit = 'ContainerInherit,ObjectInherit'
    }
    else {
        $acl = New-Object System.Security.AccessControl.FileSecurity
        $inherit = 'None'
    }
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($admin in @('S-1-5-18', 'S-1-5-32-544')) {
        $id = New-Object System.Security.Principal.SecurityIdentifier($admin)
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($id, 'FullControl', $inherit, 'None', 'Allow')))
    }
    if ($ReaderSid) {
        $reader = New-Object System.Security.Principal.SecurityIdentifier($ReaderSid)
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($reader, 'Read', $inherit, 'None', 'Allow')))
    }
    Set-Acl -LiteralPath $Path -AclObject $acl -WhatIf:$false
}
