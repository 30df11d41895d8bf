using Copilot.Grains;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Copilot.Tests.Grains;

/// <summary>Creating a session: what it writes before its first question reaches the model, and the room the user's
/// session cap holds for it, given back when its creation fails, so "try again" is not refused by the cap.</summary>
public sealed class SessionCreationTests
{
    [Fact]
    public async Task A_session_created_by_its_first_question_writes_its_header_once_with_its_title_before_the_model_is_asked()
    {
        var (model, cluster) = await StartGatedAsync();
        await using var _ = cluster;
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = cluster.Client.GetGrain<ISessionGrain>(sessionId);

        var started = await grain.StartTurnAsync(
            user, new TurnRequest { Content = "  Ice and water shield\nat the eaves?", CreateIfMissing = true });
        var reply = await model.NextReplyAsync();

        // The first text waits for every write before the model is asked: the header is one of them, once.
        Assert.Equal(1, await Sql.HeaderVersionAsync(sessionId));
        Assert.Equal("Ice and water shield at the eaves?", (await grain.GetInfoAsync(user))!.Title);
        reply.Send("Run it two feet past the inside wall line.");
        reply.Complete();
        await Turns.ReadToEndAsync(grain, user, started.TurnId);
        var stored = await grain.GetActivePathAsync(user);
        Assert.Equal(["  Ice and water shield\nat the eaves?", "Run it two feet past the inside wall line."], stored!.Select(m => m.Content));
        Assert.Equal("Ice and water shield at the eaves?", (await grain.GetInfoAsync(user))!.Title);
    }

    [Fact]
    public async Task A_session_created_before_its_first_message_takes_its_title_from_that_message()
    {
        var (model, cluster) = await StartGatedAsync();
        await using var _ = cluster;
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = cluster.Client.GetGrain<ISessionGrain>(sessionId);

        Assert.Equal("", (await grain.CreateAsync(user, Copilot.Grains.Personas.PersonaRole.Field)).Title);
        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = "Drip edge on a low-slope roof?" });
        (await model.NextReplyAsync()).Complete();
        await Turns.ReadToEndAsync(grain, user, started.TurnId);

        Assert.Equal("Drip edge on a low-slope roof?", (await grain.GetInfoAsync(user))!.Title);
    }

    [Fact]
    public async Task A_session_whose_header_write_failed_leaves_room_under_the_cap_for_the_retry()
    {
        var (cluster, hold) = await TestClusters.StartHoldingAsync(
            CopilotStorage.SessionStateName, new Dictionary<string, string?> { ["Copilot:Sessions:MaxPerUser"] = "1" });
        await using var _ = cluster;
        var user = Guid.NewGuid();
        var request = new TurnRequest { Content = "how many squares is a 30 by 40 roof?", CreateIfMissing = true };

        var failing = cluster.Client.GetGrain<ISessionGrain>(Guid.NewGuid()).StartTurnAsync(user, request);
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        hold.Fail(new IOException("storage refused the header"));
        await Assert.ThrowsAnyAsync<Exception>(() => failing);

        // The panel's "try again" is a new session (the failed one has no id the client knows), within the minute the
        // failed one's room would otherwise be held.
        var retry = cluster.Client.GetGrain<ISessionGrain>(Guid.NewGuid());
        var started = await retry.StartTurnAsync(user, request);
        var messages = await Turns.ReadToEndAsync(retry, user, started.TurnId);

        Assert.True(started.Created);
        Assert.Equal(MessageStatus.Complete, messages[^1].Status);
    }

    private static async Task<(GatedChatClient Model, InProcessTestCluster Cluster)> StartGatedAsync()
    {
        var model = new GatedChatClient();
        var cluster = await TestClusters.StartAsync(
            "create-" + Guid.NewGuid().ToString("N")[..8], configureServices: services => services.AddSingleton<IChatClient>(model));
        return (model, cluster);
    }
}
