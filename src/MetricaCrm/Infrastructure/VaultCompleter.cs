namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>-Vault: the registered SecretManagement vaults (Get-SecretVault).</summary>
    public sealed class VaultCompleter : SecretManagementCompleter
    {
        protected override string Script => "param($typed, $vault)\n" + Guard +
            "Microsoft.PowerShell.SecretManagement\\Get-SecretVault -ErrorAction Ignore | Where-Object { $_.Name -like \"$typed*\" } | ForEach-Object Name";
    }
}
