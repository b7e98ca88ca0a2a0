# A stand-in for SecretManagement, which cannot be installed here (no gallery): the module imports it by name and
# calls Microsoft.PowerShell.SecretManagement\Get-Secret, the path a real vault takes. The secrets named in
# STANDIN_SECRET_NAMES (comma-separated) hold the token in STANDIN_SECRET_TOKEN; any other name is not found.
function Get-Secret {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [string] $Name, [string] $Vault, [switch] $AsPlainText)
    if (($env:STANDIN_SECRET_NAMES -split ',') -notcontains $Name) {
        Write-Error "Get-Secret : The secret $Name was not found." -ErrorId 'GetSecretNotFound'
        return
    }
    ConvertTo-SecureString $env:STANDIN_SECRET_TOKEN -AsPlainText -Force
}
Export-ModuleMember -Function Get-Secret
