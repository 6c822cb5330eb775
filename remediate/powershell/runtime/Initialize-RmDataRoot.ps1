function Initialize-RmDataRoot {
    <#
    .SYNOPSIS
    Makes sure the SYSTEM package's folder under ProgramData is ours before state, backups and evidence are
    trusted: created with a protected DACL, or verified. Returns '' or the problem ('data_root_untrusted...').
    .DESCRIPTION
    ProgramData's default ACL lets any user create folders there and own them: a user who pre-creates
    ProgramData\remediate could forge evidence or plant a junction that redirects our writes. An existing folder
    must not be a reparse point, must be owned by SYSTEM or Administrators, and writable by nobody else. User
    packages keep their data in the user's own LOCALAPPDATA and need no such check.
    #>
    if ($RmConfig.RunAs -ne 'system') {
        return ''
    }
    $root = Get-RmDataRoot
    if (-not (Test-Path -LiteralPath $root)) {
        $null = New-Item -ItemType Directory -Path $root -Force -WhatIf:$false
        Set-RmOsAcl -Path $root
        return ''
    }
    $item = Get-Item -LiteralPath $root -Force
    if (($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) {
        return 'data_root_untrusted_reparse_point'
    }
    $trusted = @('S-1-5-18', 'S-1-5-32-544')
    $trust = Get-RmOsFolderTrust -Path $root
    if ($trusted -notcontains $trust.Owner) {
        return 'data_root_untrusted_owner'
    }
    if (@($trust.Writers | Where-Object { $trusted -notcontains $_ }).Count -gt 0) {
        return 'data_root_untrusted_acl'
    }
    return ''
}
