namespace MetricaCrm.Sandbox.Tests;

/// <summary>Every Metrica endpoint of the sandbox refuses a missing or wrong token the way Metrica does.</summary>
public sealed class AuthenticationRules
{
    [Fact]
    public async Task No_authorization_header_is_401_unauthorized()
    {
        await using var s = await SandboxClient.StartAsync();
        s.Http.DefaultRequestHeaders.Remove("Authorization");
        SandboxClient.AssertError(await s.GetAsync("/management/v1/counter/1"), 401, "unauthorized", "Неавторизованный пользователь");
    }

    [Fact]
    public async Task Wrong_token_is_403_invalid_token()
    {
        await using var s = await SandboxClient.StartAsync();
        s.Http.DefaultRequestHeaders.Remove("Authorization");
        s.Http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "OAuth wrong");
        SandboxClient.AssertError(await s.GetAsync("/cdp/api/v1/counter/1/last_uploadings"), 403, "invalid_token", "Invalid oauth_token");
    }

    [Fact]
    public async Task Counter_outside_the_counters_option_is_403_access_denied()
    {
        await using var s = await SandboxClient.StartAsync(new SandboxOptions { Counters = [4242, 12345] });
        Assert.Equal(200, (await s.GetAsync("/management/v1/counter/12345")).Status);
        SandboxClient.AssertError(await s.GetAsync("/cdp/api/v1/counter/1/last_uploadings"), 403, "access_denied", "Access is denied");
    }
}
