function Get-RmOsFolderTrust {
    <#
    .SYNOPSIS
    OS seam: who owns a folder and which SIDs may write to it (allow rules with write, modify or full control).
    #>
    param([Parameter(Mandatory = $true)][string]$Path)
    $acl = Get-Acl -LiteralPath $Path
    $owner = $acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    $writers = New-Object System.Collections.Generic.List[string]
    $write = [System.Security.AccessControl.FileSystemRights]'Write, Modify, FullControl, CreateFiles, AppendData, TakeOwnership, ChangePermissions'
    foreach ($rule in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
        if ($rule.AccessControlType -eq 'Allow' -and ($rule.FileSystemRights -band $write) -ne 0) {
            $writers.Add($rule.IdentityReference.Value)
        }
    }
    return [ordered]@{ Owner = $owner; Writers = $writers.ToArray() }
}
