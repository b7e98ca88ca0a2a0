# A stand-in for SecretManagement, which cannot be installed here (no gallery): the module imports it by name and
# calls Microsoft.PowerShell.SecretManagement\Get-Secret, the path a real vault takes. The secrets named in
# STANDIN_SECRET_NAMES (comma-separated) hold the token in STANDIN_SECRET_TOKEN; any other name is not found. The
# vaults are STANDIN_VAULTS (comma-separated; default one, 'StandInStore'), each listing every secret's name.
function Get-Secret {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [string] $Name, [string] $Vault, [switch] $AsPlainText)
    if (($env:STANDIN_SECRET_NAMES -split ',') -notcontains $Name) {
        Write-Error "Get-Secret : The secret $Name was not found." -ErrorId 'GetSecretNotFound'
        return
    }
    ConvertTo-SecureString $env:STANDIN_SECRET_TOKEN -AsPlainText -Force
}
function Get-SecretVault {
    [CmdletBinding()]
    param([string[]] $Name)
    $vaults = if ($env:STANDIN_VAULTS) { $env:STANDIN_VAULTS -split ',' } else { @('StandInStore') }
    $i = 0
    foreach ($v in $vaults) {
        if (-not $Name -or @($Name | Where-Object { $v -like $_ })) { [pscustomobject]@{ Name = $v; ModuleName = 'StandIn'; IsDefault = ($i -eq 0) } }
        $i++
    }
}

function Get-SecretInfo {
    [CmdletBinding()]
    param([string] $Name = '*', [string] $Vault)
    foreach ($v in @(Get-SecretVault)) {
        if ($Vault -and $v.Name -ne $Vault) { continue }
        foreach ($n in ($env:STANDIN_SECRET_NAMES -split ',') | Where-Object { $_ -and $_ -like $Name }) {
            [pscustomobject]@{ Name = $n; Type = 'SecureString'; VaultName = $v.Name }
        }
    }
}
Export-ModuleMember -Function Get-Secret, Get-SecretVault, Get-SecretInfo
