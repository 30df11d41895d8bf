using System.Diagnostics;
using System.Net;
using Copilot.Testing.Polling;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Xunit.Abstractions;

namespace Copilot.Tests.Cluster;

/// <summary>Two real silo processes on one PostgreSQL; the one holding the conversation is killed with SIGKILL.</summary>
public sealed class ProcessFailoverTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> JwtAuth = new()
    {
        ["Copilot:Auth:Mode"] = "Jwt",
        ["Copilot:Auth:JwtSecret"] = TestTokens.Secret,
        ["Copilot:Auth:Issuer"] = TestTokens.Issuer,
    };

    [Fact]
    public async Task A_conversation_continues_on_the_other_process_after_the_first_is_killed()
    {
        var clusterId = "failover-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await ClusterSilo.StartAsync(clusterId, clusterId, JwtAuth, TimeSpan.FromSeconds(60));
        await using var second = await ClusterSilo.StartAsync(clusterId, clusterId, JwtAuth, TimeSpan.FromSeconds(60));
        var userId = Guid.NewGuid();
        using var firstHttp = new HttpClient { BaseAddress = first.BaseAddress };
        using var secondHttp = new HttpClient { BaseAddress = second.BaseAddress };
        var viaFirst = new CopilotClient(firstHttp, userId);
        var viaSecond = new CopilotClient(secondHttp, userId);

        // The session activates on the first process, which took its first request.
        var sessionId = (await viaFirst.SendWhenAvailableAsync("one", TimeSpan.FromSeconds(60))).SessionId;
        Assert.Equal(sessionId, (await viaFirst.SendAsync("two", sessionId)).SessionId);

        await first.KillAsync();
        var clock = Stopwatch.StartNew();
        var sends = new List<CopilotClient.SendResult>();
        await Poll.UntilAsync(
            async () =>
            {
                sends.Add(await viaSecond.SendAsync("three", sessionId));
                return sends[^1].Status == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(90),
            TimeSpan.FromMilliseconds(250));
        var third = sends[^1];

        output.WriteLine($"usable on the survivor {clock.Elapsed.TotalSeconds:F1} s after SIGKILL ({sends.Count - 1} send(s) answered 503 meanwhile)");
        Assert.All(sends.SkipLast(1), refused => Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status));
        Assert.True(third.Status == HttpStatusCode.OK, $"still {third.Status} after {clock.Elapsed}:\n{second.Output}");
        Assert.Equal(sessionId, third.SessionId);
        Assert.Equal(
            ["one", OfflineReplies.For("one", 0), "two", OfflineReplies.For("two", 1), "three", OfflineReplies.For("three", 2)],
            (await viaSecond.LoadMessagesAsync(sessionId)).Select(m => m.GetProperty("content").GetString()));

        Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(60)));
    }
}
