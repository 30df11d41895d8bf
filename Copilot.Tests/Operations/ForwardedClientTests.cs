using System.Net;
using Copilot.Grains.Shares;
using Copilot.Silo.Hosting;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.Operations;

/// <summary>The client address behind a reverse proxy (<c>Copilot:Api:TrustedProxies</c>), seen through the anonymous
/// share-read limit, which counts per address. Real Kestrel, so that every request comes from 127.0.0.1.</summary>
public sealed class ForwardedClientTests
{
    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_share_read_limit()
    {
        await using var app = await StartAsync(new Dictionary<string, string?> { ["Copilot:Api:TrustedProxies:0"] = "127.0.0.0/8" });
        using var http = app.CreateClient();

        var first = await ReadsAsync(http, "203.0.113.7", 3);
        var second = await ReadsAsync(http, "203.0.113.8", 1);
        var spoofedBeforeProxy = await ReadsAsync(http, "203.0.113.7, 198.51.100.9", 1);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], first);
        Assert.Equal([HttpStatusCode.NotFound], second);

        // The proxy appends the address it saw: what a client put before it is not believed.
        Assert.Equal([HttpStatusCode.NotFound], spoofedBeforeProxy);
    }

    [Fact]
    public async Task Without_a_trusted_proxy_a_client_sent_forwarded_header_does_not_change_the_limit()
    {
        await using var app = await StartAsync(new Dictionary<string, string?>());
        using var http = app.CreateClient();

        var first = await ReadsAsync(http, "203.0.113.7", 2);
        var other = await ReadsAsync(http, "203.0.113.8", 1);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound], first);
        Assert.Equal([HttpStatusCode.TooManyRequests], other);
    }

    private static async Task<CopilotAppFactory> StartAsync(Dictionary<string, string?> settings)
    {
        settings["Copilot:Api:ShareReadsPerMinute"] = "2";
        var app = new CopilotAppFactory(await TestDatabase.GetConnectionStringAsync(), settings: settings);
        app.UseKestrel(LoopbackPorts.FindFree());
        app.StartServer();
        return app;
    }

    private static async Task<List<HttpStatusCode>> ReadsAsync(HttpClient http, string forwardedFor, int count)
    {
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/shares/{ShareTokens.NewToken()}");
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await http.SendAsync(request);
            answers.Add(response.StatusCode);
        }

        return answers;
    }
}
