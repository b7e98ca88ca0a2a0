using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// Where the token and the data may go: never in clear to another machine unless the user says so, never along a
/// redirect. Every listener here is on loopback; the "other machine" is only a name that a loopback proxy receives.
/// </summary>
public sealed class TransportSecurityTests
{
    private const string Orders = "id,create_date_time,emails,order_status\nA-1,{0},a@example.ru,PAID\n";

    /// <summary>A loopback server that answers every request with <paramref name="answer"/> and records what came.</summary>
    private static async Task<(WebApplication App, Uri Uri, ConcurrentQueue<string> Seen)> ListenAsync(Func<HttpContext, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var seen = new ConcurrentQueue<string>();
        app.Run(async ctx =>
        {
            seen.Enqueue($"{ctx.Request.Method} {ctx.Request.Host}{ctx.Request.Path} auth={ctx.Request.Headers.Authorization.Count > 0}");
            await answer(ctx);
        });
        await app.StartAsync();
        return (app, new Uri(app.Urls.First() + "/"), seen);
    }

    [Fact]
    public async Task A_redirect_is_reported_with_its_target_and_nothing_reaches_it()
    {
        await using var s = await ModuleSession.StartAsync();
        var (target, targetUri, targetSeen) = await ListenAsync(ctx => ctx.Response.WriteAsync("{}"));
        var (api, apiUri, apiSeen) = await ListenAsync(ctx =>
        {
            ctx.Response.StatusCode = 307;
            ctx.Response.Headers.Location = new Uri(targetUri, ctx.Request.Path + ctx.Request.QueryString).ToString();
            return Task.CompletedTask;
        });
        try
        {
            var file = s.WriteFile("orders.csv", string.Format(Orders, DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd HH:mm")));
            s.SetVariable("redirecting", apiUri.ToString());
            var send = s.Run($"Import-CrmOrder '{file}' | Send-MetricaConversion -CounterId 1 -ApiBaseUri $redirecting -Token $token -NoJournal -MaxRetryCount 0");
            var read = s.Run("Get-MetricaUploadStatus -CounterId 1 -ApiBaseUri $redirecting -Token $token -MaxRetryCount 0");

            Assert.NotEmpty(apiSeen);
            Assert.Empty(targetSeen); // neither the upload's file nor a read followed the 307
            var messages = send.Errors.Select(e => e.Exception.Message).Concat(read.Errors.Select(e => e.Exception.Message))
                .Append(send.Terminating?.Message ?? "").Append(read.Terminating?.Message ?? "").ToList();
            Assert.Contains(messages, m => m.Contains("redirect to " + targetUri.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal));
            Assert.Equal(2, messages.Count(m => m.Contains("follows no redirect", StringComparison.Ordinal)));
        }
        finally
        {
            await api.DisposeAsync();
            await target.DisposeAsync();
        }
    }

    [Fact]
    public async Task Plain_http_to_another_machine_is_refused_unless_the_user_allows_it()
    {
        await using var s = await ModuleSession.StartAsync();
        // The "other machine" exists only as a name: the proxy on loopback receives the request for it.
        var (proxy, proxyUri, proxySeen) = await ListenAsync(ctx => ctx.Response.WriteAsync("{\"uploadings\":[]}"));
        try
        {
            s.SetVariable("proxy", proxyUri.ToString());
            var refused = s.Run("Get-MetricaUploadStatus -CounterId 1 -ApiBaseUri 'http://metrica.example.test/' -Token $token -Proxy $proxy");
            Assert.Equal("MetricaPlainHttpRefused", (refused.Terminating as RuntimeException)?.ErrorRecord.FullyQualifiedErrorId.Split(',')[0]
                ?? refused.ErrorIds.FirstOrDefault());
            Assert.Empty(proxySeen);

            var allowed = s.Run("Get-MetricaUploadStatus -CounterId 1 -ApiBaseUri 'http://metrica.example.test/' -Token $token -Proxy $proxy -AllowUnencryptedHttp");
            Assert.Null(allowed.Terminating);
            Assert.Contains(proxySeen, r => r.Contains("metrica.example.test", StringComparison.Ordinal) && r.Contains("auth=True", StringComparison.Ordinal));

            // The sandbox on loopback is plain http and needs no switch.
            var local = s.Run($"Get-MetricaUploadStatus -CounterId 1 {ModuleSession.Api}");
            Assert.Null(local.Terminating);
            Assert.Empty(local.Errors);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }
}
