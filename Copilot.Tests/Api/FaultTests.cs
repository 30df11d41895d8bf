using System.Diagnostics;
using System.Net;
using Copilot.Silo.Database;
using Copilot.Silo.Hosting;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;

namespace Copilot.Tests.Api;

public sealed class FaultTests
{
    [Fact]
    public async Task A_model_that_cannot_be_reached_gets_502_and_the_message_is_kept()
    {
        var closedPort = LoopbackPorts.FindFree();
        await using var app = await CopilotAppFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Copilot:ChatModel:Provider"] = "OpenAI",
            ["Copilot:ChatModel:Model"] = "gpt-test",
            ["Copilot:ChatModel:ApiKey"] = "sk-test",
            ["Copilot:ChatModel:Endpoint"] = $"http://127.0.0.1:{closedPort}/v1",
            ["Copilot:ChatModel:MaxRetries"] = "0",
        });
        var user = new CopilotClient(app.CreateClient(), Guid.NewGuid());

        var send = await user.SendAsync("is anyone there?");

        Assert.Equal(HttpStatusCode.BadGateway, send.Status);
        Assert.Contains("\"code\":\"model_unreachable\"", send.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", send.Body, StringComparison.Ordinal);
        var sessionId = send.SessionIdHeader!.Value;
        var messages = await user.LoadMessagesAsync(sessionId);
        Assert.Equal("is anyone there?", messages[0].GetProperty("content").GetString());
        Assert.Equal("failed", messages[1].GetProperty("metadata").GetProperty("status").GetString());
        Assert.Equal("model_unreachable", messages[1].GetProperty("metadata").GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Storage_that_goes_away_gets_a_quick_503_and_the_service_recovers_when_it_returns()
    {
        var directory = Path.Combine(Path.GetTempPath(), "copilot-fault-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await LocalPostgres.StartAsync(directory);
        try
        {
            await using var app = new CopilotAppFactory(server.ConnectionString);
            app.StartServer();
            var user = new CopilotClient(app.CreateClient(), Guid.NewGuid());
            var sessionId = (await user.SendAsync("before the outage")).SessionId;

            await server.DisposeAsync();
            var clock = Stopwatch.StartNew();
            var send = await user.SendAsync("during the outage");
            var load = await user.GetAsync($"/api/copilot?sessionId={Guid.NewGuid()}");

            // A user whose list is not in memory: reading it needs PostgreSQL.
            var list = await new CopilotClient(app.CreateClient(), Guid.NewGuid()).GetAsync("/v1/sessions");
            using var raw = await app.CreateClient().SendAsync(user.NewRequest(HttpMethod.Get, $"/api/copilot?sessionId={Guid.NewGuid()}"));
            clock.Stop();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, send.Status);
            Assert.Contains("\"code\":\"unavailable\"", send.Body, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, load.Status);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, list.Status);
            Assert.Equal("unavailable", list.Body.GetProperty("code").GetString());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, raw.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), raw.Headers.RetryAfter?.Delta);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the 503s took {clock.Elapsed}");

            // PostgreSQL comes back on the same port: nothing acknowledged was lost, and sending works again.
            server = await LocalPostgres.StartAsync(directory, server.Port);
            var recovered = await user.SendAsync("after the outage", sessionId);
            Assert.Equal(sessionId, recovered.SessionId);
            Assert.Equal(
                ["before the outage", OfflineReplies.For("before the outage", 0), "after the outage", OfflineReplies.For("after the outage", 1)],
                (await user.LoadMessagesAsync(sessionId)).Select(m => m.GetProperty("content").GetString()));
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
