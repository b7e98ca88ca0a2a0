using MetricaCrm.Engine.Metrica;
using Xunit;

namespace MetricaCrm.Engine.Tests;

public sealed class TokenTests
{
    [Fact]
    public void A_real_length_token_is_redacted_wherever_it_appears()
    {
        var token = MetricaToken.FromPlainText("y0_AgAAAABkZXYtdG9rZW4");
        Assert.Equal("bad token *** (*** again)", token.Redact("bad token y0_AgAAAABkZXYtdG9rZW4 (y0_AgAAAABkZXYtdG9rZW4 again)"));
    }

    [Fact]
    public void A_short_token_does_not_garble_the_message()
    {
        var token = MetricaToken.FromPlainText("abc");
        Assert.Equal("abc: the file abcdef.csv has no header", token.Redact("abc: the file abcdef.csv has no header"));
        Assert.Equal("OAuth ***", token.ToString());
    }

    [Fact]
    public void The_version_of_the_engine_is_the_manifests()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MetricaCrm.sln"))) root = Path.GetDirectoryName(root)!;
        var manifest = File.ReadAllText(Path.Combine(root, "module", "MetricaCrm.psd1"));
        var version = System.Text.RegularExpressions.Regex.Match(manifest, @"ModuleVersion\s*=\s*'([0-9.]+)'").Groups[1].Value;
        Assert.Equal(new Version(version).ToString(3), typeof(MetricaClient).Assembly.GetName().Version!.ToString(3));
    }
}
