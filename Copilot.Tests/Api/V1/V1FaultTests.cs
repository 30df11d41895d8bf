using System.Net;
using Copilot.Silo.Database;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api.V1;

/// <summary><c>/v1</c> when PostgreSQL goes away: a quick 503 problem, never a hang or a stack trace.</summary>
public sealed class V1FaultTests
{
    [Fact]
    public async Task Storage_that_goes_away_gets_a_503_problem_on_v1()
    {
        var directory = Path.Combine(Path.GetTempPath(), "copilot-v1-fault-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await LocalPostgres.StartAsync(directory);
        try
        {
            await using var app = new CopilotAppFactory(server.ConnectionString);
            app.StartServer();
            var user = new V1Client(app.CreateClient(), Guid.NewGuid());
            var chatId = Guid.NewGuid();
            await user.SendAsync(chatId, "before", "before the outage");

            await server.DisposeAsync();
            var send = await V1Client.ReadAsync(await user.PostChatAsync(V1Client.Body(chatId, "during", "during the outage")));
            var messages = await user.CallAsync(HttpMethod.Get, $"/v1/sessions/{Guid.NewGuid()}/messages");

            V1Client.AssertProblem(send, HttpStatusCode.ServiceUnavailable, "unavailable");
            V1Client.AssertProblem(messages, HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.DoesNotContain("   at ", send.Body.GetRawText(), StringComparison.Ordinal);

            // PostgreSQL is back on the same port: the refused message was not half stored, and sending works again.
            // (It also lets the silo leave the cluster cleanly when the app stops.)
            server = await LocalPostgres.StartAsync(directory, server.Port);
            await user.SendAsync(chatId, "after", "after the outage");
            Assert.Equal(
                ["before the outage", "after the outage"],
                (await user.HistoryAsync(chatId)).Where(m => m.Role == "user").Select(m => m.Text));
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
