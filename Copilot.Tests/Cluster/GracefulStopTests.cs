using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;

namespace Copilot.Tests.Cluster;

[Collection(AdoNetClusterCollection.Name)]
public sealed class GracefulStopTests(AdoNetClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly IClusterClient _client = fixture.Client;

    // The silo is a separate process, so a GatedChatClient cannot be put into it; it talks to a fake OpenAI server in
    // this process instead, whose reply pauses after its first chunk until the test releases it.
    [Fact]
    public async Task Sigterm_mid_turn_lets_the_reply_finish_and_the_silo_leave_the_cluster()
    {
        await using var openAI = await FakeOpenAIServer.StartAsync();
        var token = "graceful-" + Guid.NewGuid().ToString("N")[..8];
        var reply = FakeOpenAIReply.Stream(["The reply ", "went on ", "after the stop."], pauseAfter: 1);
        openAI.Enqueue(token, reply);
        await using var silo = await ClusterSilo.StartAsync(fixture.ClusterId, fixture.ServiceId, OpenAISettings(openAI), Deadline);
        var (userId, grain, turn) = await StartTurnOnAsync(silo.SiloAddress, $"what happens when my silo stops? {token}");
        Assert.Equal("The reply ", (await Turns.ReadMoreAsync(grain, userId, turn.TurnId, 0)).Text);

        var stopping = silo.StopAsync(Deadline);
        await Eventually.HoldsAsync(
            async () => await fixture.MembershipStatusAsync(silo.SiloAddress) is not SiloStatus.Active,
            "the silo is stopping");
        reply.Release();
        var exitCode = await stopping;

        await AssertStoppedWithReplyAsync(
            silo, exitCode, (userId, grain, turn), MessageStatus.Complete, "The reply went on after the stop.");
    }

    [Fact]
    public async Task Sigterm_during_a_turn_longer_than_the_grace_period_stores_it_as_interrupted()
    {
        await using var openAI = await FakeOpenAIServer.StartAsync();
        var token = "interrupted-" + Guid.NewGuid().ToString("N")[..8];
        var reply = FakeOpenAIReply.Stream(["Only this ", "never arrives."], pauseAfter: 1);
        openAI.Enqueue(token, reply);
        var settings = new Dictionary<string, string?>(OpenAISettings(openAI)) { ["Copilot:Sessions:TurnShutdownGrace"] = "00:00:00.200" };
        await using var silo = await ClusterSilo.StartAsync(fixture.ClusterId, fixture.ServiceId, settings, Deadline);
        var (userId, grain, turn) = await StartTurnOnAsync(silo.SiloAddress, $"will this reply survive? {token}");
        Assert.Equal("Only this ", (await Turns.ReadMoreAsync(grain, userId, turn.TurnId, 0)).Text);

        try
        {
            var exitCode = await silo.StopAsync(Deadline);

            await AssertStoppedWithReplyAsync(silo, exitCode, (userId, grain, turn), MessageStatus.Interrupted, "Only this ");
        }
        finally
        {
            reply.Release();
        }
    }

    /// <summary>The silo left cleanly, and the turn's reply is stored with <paramref name="status"/> and
    /// <paramref name="content"/>, the turn no longer in flight.</summary>
    private async Task AssertStoppedWithReplyAsync(
        ClusterSilo silo, int exitCode, (Guid UserId, ISessionGrain Grain, TurnStarted Turn) started, MessageStatus status, string content)
    {
        var (userId, grain, turn) = started;
        Assert.Equal(0, exitCode);
        Assert.Equal(SiloStatus.Dead, await fixture.MembershipStatusAsync(silo.SiloAddress));
        var messages = await Conversations.RetryAsync(() => grain.GetAllMessagesAsync(userId), Deadline, AttemptTimeout);
        Assert.NotNull(messages);
        Assert.Equal(2, messages.Count);
        Assert.Equal(turn.TurnId, messages[1].Id);
        Assert.Equal(status, messages[1].Status);
        Assert.Equal(content, messages[1].Content);
        Assert.False((await grain.GetInfoAsync(userId))!.TurnInFlight);
    }

    private static Dictionary<string, string?> OpenAISettings(FakeOpenAIServer openAI) => new()
    {
        ["Copilot:ChatModel:Provider"] = "OpenAI",
        ["Copilot:ChatModel:Model"] = "gpt-test",
        ["Copilot:ChatModel:ApiKey"] = "sk-test",
        ["Copilot:ChatModel:Endpoint"] = openAI.Endpoint.ToString(),
        ["Copilot:ChatModel:MaxRetries"] = "0",
    };

    /// <summary>Creates a session, moves it to <paramref name="silo"/> and starts a turn there.</summary>
    private async Task<(Guid UserId, ISessionGrain Grain, TurnStarted Turn)> StartTurnOnAsync(SiloAddress silo, string content)
    {
        var userId = Guid.NewGuid();
        var grain = _client.GetGrain<ISessionGrain>(Guid.NewGuid());
        await Conversations.RetryAsync(
            () => grain.CreateAsync(userId, PersonaRole.Pm), Deadline, Conversations.JoiningSiloAttemptTimeout);
        await fixture.Cluster.MigrateAsync(grain, silo);
        await Conversations.RetryAsync(
            async () => silo.Equals(await fixture.FindHostAsync(grain))
                ? true
                : throw new InvalidOperationException("The session has not moved yet."),
            Deadline,
            AttemptTimeout);

        var turn = await grain.StartTurnAsync(userId, new TurnRequest { Content = content });

        Assert.True((await grain.GetInfoAsync(userId))!.TurnInFlight);
        return (userId, grain, turn);
    }
}
