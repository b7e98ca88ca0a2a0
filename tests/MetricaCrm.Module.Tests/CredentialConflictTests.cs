namespace MetricaCrm.Module.Tests;

/// <summary>Two token sources in one command are refused: which account the user meant would be a guess.</summary>
public sealed class CredentialConflictTests
{
    [Fact]
    public async Task Token_with_Credential_is_refused_before_any_request()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run("Get-MetricaOrderStatus -CounterId 5 -ApiBaseUri $api -Token $token -Credential ([pscredential]::new('other', $token))");
        var id = (r.Terminating as RuntimeException)?.ErrorRecord.FullyQualifiedErrorId ?? Assert.Single(r.Errors).FullyQualifiedErrorId;
        Assert.StartsWith("MetricaTokenAmbiguous,", id);
        Assert.Empty(s.Sandbox.State.Requests);
    }
}
