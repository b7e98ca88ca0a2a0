namespace MetricaCrm.Module.Tests;

/// <summary>
/// The credentials chain, Connect-Metrica and Test-MetricaConnection, in a real runspace against the sandbox.
/// One class: the SecretManagement stand-in goes on the process-wide PSModulePath, so these tests never run in parallel.
/// </summary>
public sealed class CredentialTests
{
    private const string Fast = "-RetryDelay '00:00:00.05'";

    // A stand-in for Microsoft.PowerShell.SecretManagement with its Get-Secret contract: SecureString or PSCredential
    // secrets, an error for an unknown name or vault.
    private const string FakeSecretManagement = """
        function Get-Secret {
            [CmdletBinding()]
            param([Parameter(Mandatory)][string] $Name, [string] $Vault)
            # $PSCmdlet.WriteError: the session has the core cmdlets only (no Write-Error), and a real vault's error is non-terminating.
            function Fail([string] $Message) { $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new([System.Management.Automation.ItemNotFoundException]::new($Message), 'GetSecretNotFound', 'ObjectNotFound', $Name)) }
            if ($Vault -and $Vault -ne 'TaskVault') { Fail "Vault '$Vault' does not exist in registered vaults."; return }
            $s = [System.Security.SecureString]::new()
            foreach ($c in 'sandbox-token'.ToCharArray()) { $s.AppendChar($c) }
            switch ($Name) {
                'metrica' { $s }
                'metrica-credential' { [pscredential]::new('token', $s) }
                'metrica-plain' { 'sandbox-token' }
                default { Fail "The secret $Name was not found." }
            }
        }
        """;

    private static IDisposable WithFakeSecretManagement(ModuleSession s)
    {
        var dir = Path.Combine(s.WorkDir, "modules", "Microsoft.PowerShell.SecretManagement");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Microsoft.PowerShell.SecretManagement.psm1"), FakeSecretManagement);
        var before = Environment.GetEnvironmentVariable("PSModulePath");
        Environment.SetEnvironmentVariable("PSModulePath", Path.Combine(s.WorkDir, "modules") + Path.PathSeparator + before);
        return new Restore(() => Environment.SetEnvironmentVariable("PSModulePath", before));
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    private static Dictionary<string, PSObject> Checks(RunResult r) => r.Output.ToDictionary(o => (string)o.Properties["Check"].Value, o => o);
    private static string Verdict(Dictionary<string, PSObject> checks, string name) => checks[name].Properties["Verdict"].Value.ToString()!;

    [Theory]
    [InlineData("-SecretName metrica", "SecretManagement secret 'metrica'")]
    [InlineData("-SecretName metrica -Vault TaskVault", "SecretManagement secret 'metrica' in vault 'TaskVault'")]
    [InlineData("-SecretName metrica-credential", "SecretManagement secret 'metrica-credential' (a credential")]
    public async Task A_named_secret_supplies_the_token_and_verbose_names_the_source(string secret, string source)
    {
        await using var s = await ModuleSession.StartAsync();
        using var _ = WithFakeSecretManagement(s);
        var r = s.Run($"Get-MetricaOrderStatus -CounterId 5 -ApiBaseUri $api {secret} {Fast} -Verbose");
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        Assert.Contains(r.Verbose, v => v.Message.Contains("token from " + source, StringComparison.Ordinal));
        Assert.Single(s.Requests("/counter/5/schema/order_statuses"), q => q.TokenValid);
        Assert.DoesNotContain("sandbox-token", r.AllText());
    }

    [Theory]
    [InlineData("-SecretName missing", "MetricaSecretUnavailable")]
    [InlineData("-SecretName metrica -Vault OtherVault", "MetricaSecretUnavailable")]
    [InlineData("-SecretName metrica-plain", "MetricaSecretInvalidType")]
    public async Task A_named_secret_that_cannot_be_read_fails_and_never_falls_through(string secret, string errorId)
    {
        await using var s = await ModuleSession.StartAsync();
        using var _ = WithFakeSecretManagement(s);
        // Connect-Metrica's token would be a later source in the chain: the named secret must not fall through to it.
        s.Run("Connect-Metrica -Token $token");
        var r = s.Run($"Get-MetricaOrderStatus -CounterId 5 -ApiBaseUri $api {secret} {Fast}");
        var error = Assert.Single(r.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("metrica", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        // The vault's own words, not PowerShell's "The running command stopped because the preference variable ...".
        Assert.DoesNotContain("preference variable", error.Exception.Message);
        Assert.Empty(s.Sandbox.State.Requests);
    }

    [Fact]
    public async Task A_missing_secret_is_reported_with_Get_Secrets_own_message()
    {
        await using var s = await ModuleSession.StartAsync();
        using var _ = WithFakeSecretManagement(s);
        var error = Assert.Single(s.Run("Connect-Metrica -CounterId 7 -SecretName missing").Errors);
        Assert.True(error.Exception.Message.Contains("secret 'missing' (named by -SecretName): The secret missing was not found. A scheduled task"), error.Exception.Message);
    }

    [Fact]
    public async Task Without_SecretManagement_a_named_secret_says_the_module_is_missing()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"Get-MetricaOrderStatus -CounterId 5 -ApiBaseUri $api -SecretName metrica {Fast}");
        var error = Assert.Single(r.Errors);
        Assert.Equal("MetricaSecretManagementUnavailable", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("Microsoft.PowerShell.SecretManagement", error.Exception.Message);
        Assert.Empty(s.Sandbox.State.Requests);
    }

    [Fact]
    public async Task A_credential_carries_the_token_as_its_password()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"Get-MetricaOrderStatus -CounterId 5 -ApiBaseUri $api -Credential ([pscredential]::new('token', $token)) {Fast} -Verbose");
        Assert.Empty(r.Errors);
        Assert.Contains(r.Verbose, v => v.Message.Contains("token from -Credential", StringComparison.Ordinal));
        Assert.All(s.Sandbox.State.Requests, q => Assert.True(q.TokenValid));
    }

    [Fact]
    public async Task Connect_Metrica_stores_counter_token_and_address_until_Disconnect_Metrica()
    {
        await using var s = await ModuleSession.StartAsync();
        var connect = s.Run("Connect-Metrica -CounterId 7 -Token $token -ApiBaseUri $api");
        Assert.Null(connect.Terminating);
        Assert.Empty(connect.Output);
        // The check: one read of the counter with the token.
        Assert.True(Assert.Single(s.Requests("/management/v1/counter/7")).TokenValid);

        var r = s.Run($"Get-MetricaOrderStatus {Fast} -Verbose");
        Assert.Empty(r.Errors);
        Assert.Contains(r.Verbose, v => v.Message.Contains("token from Connect-Metrica (-Token)", StringComparison.Ordinal));
        Assert.Single(s.Requests("/counter/7/schema/order_statuses"));

        // An explicit -CounterId still wins over the session's.
        s.Run($"Get-MetricaOrderStatus -CounterId 8 {Fast}");
        Assert.Single(s.Requests("/counter/8/schema/order_statuses"));

        s.Run("Disconnect-Metrica");
        var noCounter = s.Run($"Get-MetricaOrderStatus -ApiBaseUri $api {Fast}");
        var error = Assert.Single(noCounter.Errors);
        Assert.Equal("MetricaCounterIdMissing", error.FullyQualifiedErrorId.Split(',')[0]);

        var noToken = s.Run($"Get-MetricaOrderStatus -CounterId 7 -ApiBaseUri $api {Fast}");
        error = Assert.Single(noToken.Errors);
        Assert.Equal("MetricaTokenMissing", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("-SecretName", error.Exception.Message);
        Assert.Contains("Connect-Metrica", error.Exception.Message);
        Assert.Contains("METRICA_TOKEN", error.Exception.Message);
        Assert.Equal(3, s.Sandbox.State.Requests.Count);
    }

    [Fact]
    public async Task Connect_Metrica_refuses_a_token_Metrica_refuses_and_keeps_the_earlier_defaults()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Run("Connect-Metrica -CounterId 7 -Token $token -ApiBaseUri $api");
        var wrong = new System.Security.SecureString();
        foreach (var c in "not-the-token") wrong.AppendChar(c);
        s.SetVariable("wrong", wrong);
        var bad = s.Run("Connect-Metrica -CounterId 8 -Token $wrong -PassThru");
        var error = Assert.Single(bad.Errors);
        Assert.Equal("MetricaInvalidToken,MetricaCrm.Commands.ConnectMetricaCommand", error.FullyQualifiedErrorId);
        Assert.Contains("did not store these defaults", error.ErrorDetails.Message);
        Assert.Empty(bad.Output);
        Assert.DoesNotContain("not-the-token", bad.AllText());

        // Still counter 7 with the good token.
        Assert.Empty(s.Run($"Get-MetricaOrderStatus {Fast}").Errors);
        Assert.Single(s.Requests("/counter/7/schema/order_statuses"));
        Assert.Empty(s.Requests("/counter/8/schema"));
    }

    [Fact]
    public async Task Connect_Metrica_PassThru_describes_the_connection_without_the_token()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run("Connect-Metrica -CounterId 7 -Token $token -ApiBaseUri $api -PassThru");
        var info = Assert.Single(r.Output);
        Assert.Equal("MetricaCrm.Commands.MetricaConnectionInfo", info.BaseObject.GetType().FullName);
        Assert.Equal(7L, info.Properties["CounterId"].Value);
        Assert.Equal("Sandbox counter 7", info.Properties["CounterName"].Value);
        Assert.Equal("-Token", info.Properties["TokenSource"].Value);
        Assert.True((bool)info.Properties["TokenChecked"].Value);
        Assert.DoesNotContain(info.Properties, p => p.Name.Contains("Token", StringComparison.Ordinal) && p.Value is System.Security.SecureString);
        Assert.DoesNotContain("sandbox-token", info.ToString());
        Assert.DoesNotContain("sandbox-token", r.AllText());
    }

    [Fact]
    public async Task Connect_Metrica_reads_a_named_secret_at_once()
    {
        await using var s = await ModuleSession.StartAsync();
        using var _ = WithFakeSecretManagement(s);
        var bad = s.Run("Connect-Metrica -CounterId 7 -SecretName missing");
        var error = Assert.Single(bad.Errors);
        Assert.Equal("MetricaSecretUnavailable", error.FullyQualifiedErrorId.Split(',')[0]);

        s.Run("Connect-Metrica -CounterId 7 -SecretName metrica -Vault TaskVault -ApiBaseUri $api");
        var r = s.Run("Test-MetricaConnection");
        Assert.Equal("Pass", Verdict(Checks(r), "Token present"));
        Assert.Contains("Connect-Metrica (SecretManagement secret 'metrica' in vault 'TaskVault')", (string)Checks(r)["Token present"].Properties["Detail"].Value);
    }

    [Fact]
    public async Task Test_MetricaConnection_passes_with_a_good_token()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Counter(5).TimeZoneName = "Asia/Yekaterinburg";
        var r = s.Run($"Test-MetricaConnection -CounterId 5 {ModuleSession.Api} -JournalPath (\"$work\" + '/none.db')");
        Assert.Empty(r.Errors);
        var checks = Checks(r);
        Assert.Equal(new[] { "Token present", "Token accepted", "Edit access", "Time zone", "JS goals", "Order statuses", "Attributes", "Proxy", "TLS", "Upload journal" }, checks.Keys);
        // The sandbox serves no schema/attributes yet: that check may only warn.
        Assert.All(checks.Where(c => c.Key != "Attributes"), c => Assert.True("Pass" == c.Value.Properties["Verdict"].Value.ToString(), c.Value.ToString()));
        Assert.NotEqual("Fail", Verdict(checks, "Attributes"));
        Assert.Contains("from -Token", (string)checks["Token present"].Properties["Detail"].Value);
        Assert.Contains("'own'", (string)checks["Edit access"].Properties["Detail"].Value);
        Assert.Contains("Asia/Yekaterinburg", (string)checks["Time zone"].Properties["Detail"].Value);
        Assert.Contains("order_confirmed", (string)checks["JS goals"].Properties["Detail"].Value);
        Assert.Contains("loopback", (string)checks["TLS"].Properties["Detail"].Value);
        Assert.DoesNotContain("sandbox-token", r.AllText());

        var quiet = s.Run($"Test-MetricaConnection -CounterId 5 {ModuleSession.Api} -Quiet");
        Assert.Equal(true, Assert.Single(quiet.Output).BaseObject);
    }

    [Fact]
    public async Task Test_MetricaConnection_fails_a_wrong_token_and_asks_nothing_more()
    {
        await using var s = await ModuleSession.StartAsync();
        s.SetVariable("wrong", ModuleSession.ToSecure("y0_not-the-sandbox-token"));
        var r = s.Run($"Test-MetricaConnection -CounterId 5 -ApiBaseUri $api -Token $wrong");
        Assert.Empty(r.Errors);
        var checks = Checks(r);
        Assert.Equal("Pass", Verdict(checks, "Token present"));
        Assert.Equal("Fail", Verdict(checks, "Token accepted"));
        Assert.Contains("Invalid oauth_token", (string)checks["Token accepted"].Properties["Detail"].Value);
        Assert.Contains("oauth.yandex.ru", (string)checks["Token accepted"].Properties["Fix"].Value);
        Assert.False(checks.ContainsKey("JS goals"));
        Assert.Single(s.Sandbox.State.Requests); // no retries of a 403, no further checks

        var quiet = s.Run($"Test-MetricaConnection -CounterId 5 -ApiBaseUri $api -Token $wrong -Quiet");
        Assert.Equal(false, Assert.Single(quiet.Output).BaseObject);
    }

    [Fact]
    public async Task Test_MetricaConnection_fails_a_counter_the_account_cannot_use()
    {
        await using var s = await ModuleSession.StartAsync(counters: new long[] { 5 });
        var r = s.Run($"Test-MetricaConnection -CounterId 6 {ModuleSession.Api}");
        var checks = Checks(r);
        Assert.Equal("Pass", Verdict(checks, "Token accepted"));
        Assert.Equal("Fail", Verdict(checks, "Edit access"));
        Assert.Contains("Access is denied", (string)checks["Edit access"].Properties["Detail"].Value);
        Assert.Contains("counter 6", (string)checks["Edit access"].Properties["Fix"].Value);
        Assert.Equal(403, Assert.Single(s.Requests("/counter/6")).Status);
    }

    [Fact]
    public async Task Test_MetricaConnection_warns_when_the_counter_has_no_JS_goal_and_still_passes_quietly()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Counter(5).Goals.Clear();
        var checks = Checks(s.Run($"Test-MetricaConnection -CounterId 5 {ModuleSession.Api}"));
        Assert.Equal("Warn", Verdict(checks, "JS goals"));
        Assert.Contains("no JS-event goal", (string)checks["JS goals"].Properties["Detail"].Value);
        Assert.Equal(true, Assert.Single(s.Run($"Test-MetricaConnection -CounterId 5 {ModuleSession.Api} -Quiet").Output).BaseObject);
    }
}
