using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures;
using Orleans.Runtime;

namespace Copilot.Tests.Cluster;

[Collection(AdoNetClusterCollection.Name)]
public sealed class GracefulStopTests(AdoNetClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly IClusterClient _client = fixture.Client;

    [Fact]
    public async Task Sigterm_mid_turn_lets_the_reply_finish_and_the_silo_leave_the_cluster()
    {
        // Five chunks 400 ms apart: the reply takes 2 s, well inside the default grace period of 20 s.
        await using var silo = await SiloProcess.StartAsync(
            fixture.ClusterId,
            fixture.ServiceId,
            new Dictionary<string, string?> { ["Copilot:ChatModel:OfflineChunkDelay"] = "00:00:00.400" },
            Deadline);
        var (userId, grain, turn) = await StartTurnOnAsync(silo.SiloAddress, "what happens when my silo stops?");

        var exitCode = await silo.StopAsync(Deadline);

        Assert.Equal(0, exitCode);
        Assert.Equal(SiloStatus.Dead, await fixture.MembershipStatusAsync(silo.SiloAddress));
        var messages = await Conversations.RetryAsync(() => grain.GetAllMessagesAsync(userId), Deadline, AttemptTimeout);
        Assert.NotNull(messages);
        Assert.Equal(2, messages.Count);
        Assert.Equal(turn.TurnId, messages[1].Id);
        Assert.Equal(MessageStatus.Complete, messages[1].Status);
        Assert.Equal(OfflineReplies.For("what happens when my silo stops?", 0), messages[1].Content);
        Assert.False((await grain.GetInfoAsync(userId))!.TurnInFlight);
    }

    [Fact]
    public async Task Sigterm_during_a_turn_longer_than_the_grace_period_stores_it_as_interrupted()
    {
        // Five chunks a second apart, and a grace period far shorter than the 5 s reply.
        await using var silo = await SiloProcess.StartAsync(
            fixture.ClusterId,
            fixture.ServiceId,
            new Dictionary<string, string?>
            {
                ["Copilot:ChatModel:OfflineChunkDelay"] = "00:00:01",
                ["Copilot:Sessions:TurnShutdownGrace"] = "00:00:00.200",
            },
            Deadline);
        var (userId, grain, turn) = await StartTurnOnAsync(silo.SiloAddress, "will this reply survive?");

        var exitCode = await silo.StopAsync(Deadline);

        Assert.Equal(0, exitCode);
        Assert.Equal(SiloStatus.Dead, await fixture.MembershipStatusAsync(silo.SiloAddress));
        var messages = await Conversations.RetryAsync(() => grain.GetAllMessagesAsync(userId), Deadline, AttemptTimeout);
        Assert.NotNull(messages);
        Assert.Equal(2, messages.Count);
        Assert.Equal(turn.TurnId, messages[1].Id);
        Assert.Equal(MessageStatus.Interrupted, messages[1].Status);
        var whole = OfflineReplies.For("will this reply survive?", 0);
        Assert.StartsWith(messages[1].Content, whole, StringComparison.Ordinal);
        Assert.True(messages[1].Content.Length < whole.Length, $"the reply was not cut short: \"{messages[1].Content}\"");
    }

    /// <summary>Creates a session, moves it to <paramref name="silo"/> and starts a turn there.</summary>
    private async Task<(Guid UserId, ISessionGrain Grain, TurnStarted Turn)> StartTurnOnAsync(SiloAddress silo, string content)
    {
        var userId = Guid.NewGuid();
        var grain = _client.GetGrain<ISessionGrain>(Guid.NewGuid());
        await grain.CreateAsync(userId, PersonaRole.Pm);
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
