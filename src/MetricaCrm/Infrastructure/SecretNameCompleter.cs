namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>-SecretName: the secrets of the bound -Vault, or of every vault (Get-SecretInfo: names only, never values).</summary>
    public sealed class SecretNameCompleter : SecretManagementCompleter
    {
        protected override string Script => "param($typed, $vault)\n" + Guard +
            "$p = @{ Name = \"$typed*\"; ErrorAction = 'Ignore' }; if ($vault) { $p.Vault = $vault }\n" +
            "Microsoft.PowerShell.SecretManagement\\Get-SecretInfo @p | ForEach-Object Name";
    }
}
