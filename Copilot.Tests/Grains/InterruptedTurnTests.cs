using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Copilot.Tests.Grains;

public sealed class InterruptedTurnTests
{
    [Fact]
    public async Task A_silo_killed_mid_reply_leaves_the_reply_interrupted_and_the_session_usable()
    {
        var serviceId = "interrupt-" + Guid.NewGuid().ToString("N")[..8];
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());

        // The model sends one chunk and never ends the reply.
        var (doomed, _, _) = await StartMidReplyAsync(serviceId, user, sessionId, "half a re");
        await using (doomed)
        {
            // No graceful deactivation: the process is gone with the reply half written.
            await doomed.KillSiloAsync(doomed.Silos[0]);
        }

        await using var survivor = await TestClusters.StartAsync(serviceId);
        var session = survivor.Client.GetGrain<ISessionGrain>(sessionId);

        var messages = await session.GetAllMessagesAsync(user);
        Assert.NotNull(messages);
        Assert.Equal([MessageRole.User, MessageRole.Assistant], messages.Select(m => m.Role));
        Assert.Equal("first", messages[0].Content);
        Assert.Equal(MessageStatus.Interrupted, messages[1].Status);
        Assert.Equal(ErrorCodes.Interrupted, messages[1].Metadata.ErrorCode);
        Assert.False((await session.GetInfoAsync(user))!.TurnInFlight);

        var reply = await Turns.SendAsync(session, user, "second");
        Assert.Equal(MessageStatus.Complete, reply.Status);
        Assert.Equal(
            ["first", "", "second", OfflineReplies.For("second", 1)],
            (await session.GetAllMessagesAsync(user))!.Select(m => m.Content));
        Assert.Equal(PersonaRole.Field, (await session.GetInfoAsync(user))!.Role);
    }

    [Fact]
    public async Task A_reply_stored_by_a_duplicate_activation_is_what_a_later_activation_reports()
    {
        // Two activations of one session at once, as while a failed silo is being declared dead: the first still runs
        // the turn; the second finds it in flight and records it interrupted. The first stores the whole reply between
        // the second's load and its write, so the whole reply is what is stored, and what a reader must be told.
        var (serviceId, user, sessionId) = ("duplicate-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid(), Guid.NewGuid());
        var (running, turnId, reply) = await StartMidReplyAsync(serviceId, user, sessionId, "the whole ");
        await using var _ = running;
        var first = running.Client.GetGrain<ISessionGrain>(sessionId);

        var hold = new StorageHold();
        hold.Arm(CopilotStorage.SessionSegmentStateName);
        await using var recovering = await TestClusters.StartAsync(
            serviceId, configureSilo: silo => HeldGrainStorage.Install(silo.Services, hold));
        var second = recovering.Client.GetGrain<ISessionGrain>(sessionId);
        var read = second.ReadReplyAsync(user, turnId, 0, Turns.ReadWait);
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30));

        reply.Send("reply.");
        reply.Complete();
        Assert.Equal(MessageStatus.Complete, (await Turns.ReadToEndAsync(first, user, turnId))[^1].Status);
        hold.Release();

        var seen = await read;
        Assert.Equal(("the whole reply.", true, MessageStatus.Complete), (seen.Text, seen.Done, seen.Status));
        var stored = await second.GetAllMessagesAsync(user);
        Assert.NotNull(stored);
        Assert.Equal(["first", "the whole reply."], stored.Select(m => m.Content));
        Assert.Equal(MessageStatus.Complete, stored[1].Status);
        Assert.False((await second.GetInfoAsync(user))!.TurnInFlight);
    }

    [Fact]
    public async Task A_turn_recorded_interrupted_by_a_duplicate_activation_ends_interrupted_where_it_ran()
    {
        // The mirror image: the second activation records the turn interrupted first; the first then finishes the
        // reply, finds the turn's reply row taken, and must tell its reader what is stored, not that it completed.
        var (serviceId, user, sessionId) = ("duplicate-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid(), Guid.NewGuid());
        var (running, turnId, reply) = await StartMidReplyAsync(serviceId, user, sessionId, "half a re");
        await using var _ = running;
        var first = running.Client.GetGrain<ISessionGrain>(sessionId);

        await using var recovering = await TestClusters.StartAsync(serviceId);
        var second = recovering.Client.GetGrain<ISessionGrain>(sessionId);
        var recorded = await second.ReadReplyAsync(user, turnId, 0, Turns.ReadWait);
        Assert.Equal(("", true, MessageStatus.Interrupted), (recorded.Text, recorded.Done, recorded.Status));

        reply.Send("ply.");
        reply.Complete();
        var end = (await Turns.ReadToEndAsync(first, user, turnId))[^1];
        Assert.Equal((MessageStatus.Interrupted, ErrorCodes.Interrupted), (end.Status, end.ErrorCode));
        var stored = await second.GetAllMessagesAsync(user);
        Assert.NotNull(stored);
        Assert.Equal([("first", MessageStatus.Complete), ("", MessageStatus.Interrupted)], stored.Select(m => (m.Content, m.Status)));
    }

    [Fact]
    public async Task A_turn_recovered_a_month_later_does_not_count_as_use_and_its_session_still_expires()
    {
        // The silo died mid-reply and nobody came back: the session's next activation is expiry's own, 31 days later.
        // Recording the interrupted reply then is no use of the session; it keeps the turn's time.
        var (serviceId, user, sessionId) = ("stale-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid(), Guid.NewGuid());
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var model = new GatedChatClient();
        var turnStartedAt = clock.GetUtcNow();
        await using (var doomed = await TestClusters.StartAsync(serviceId, configureServices: services =>
        {
            services.AddSingleton<IChatClient>(model);
            services.AddKeyedSingleton<TimeProvider>(SessionsOptions.ClockKey, clock);
        }))
        {
            await doomed.Client.GetGrain<ISessionGrain>(sessionId)
                .StartTurnAsync(user, new TurnRequest { Content = "last words before the crash", CreateIfMissing = true });
            (await model.NextReplyAsync()).Send("half a re");
            await doomed.KillSiloAsync(doomed.Silos[0]);
        }

        clock.Advance(TimeSpan.FromDays(31));
        await using var survivor = await TestClusters.StartAsync(serviceId, configureServices: services =>
            services.AddKeyedSingleton<TimeProvider>(SessionsOptions.ClockKey, clock));
        var session = survivor.Client.GetGrain<ISessionGrain>(sessionId);
        var recovered = await session.GetAllMessagesAsync(user);

        Assert.NotNull(recovered);
        Assert.Equal(MessageStatus.Interrupted, recovered[^1].Status);
        Assert.Equal(turnStartedAt, recovered[^1].CreatedAt);
        Assert.Equal(turnStartedAt, (await session.GetInfoAsync(user))!.UpdatedAt);
        Assert.True(await session.ExpireIfIdleAsync());
        Assert.Null(await session.GetInfoAsync(user));
    }

    [Fact]
    public async Task A_question_whose_turn_died_before_its_first_text_is_asked_again_when_sent_again()
    {
        // The silo died before the model said anything: the reply is recorded interrupted and empty. The client's retry
        // of the same message (same id, same text) is answered by the model, not by replaying that empty reply.
        var (serviceId, user, sessionId) = ("retry-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid(), Guid.NewGuid());
        var model = new GatedChatClient();
        await using (var doomed = await TestClusters.StartAsync(serviceId, configureServices: services => services.AddSingleton<IChatClient>(model)))
        {
            await doomed.Client.GetGrain<ISessionGrain>(sessionId)
                .StartTurnAsync(user, new TurnRequest { Content = "first", ClientMessageId = "m-1", CreateIfMissing = true });
            await model.NextReplyAsync();
            await doomed.KillSiloAsync(doomed.Silos[0]);
        }

        await using var survivor = await TestClusters.StartAsync(serviceId);
        var session = survivor.Client.GetGrain<ISessionGrain>(sessionId);
        var retried = await session.StartTurnAsync(user, new TurnRequest { Content = "first", ClientMessageId = "m-1", CreateIfMissing = true });
        var reply = (await Turns.ReadToEndAsync(session, user, retried.TurnId))[^1];
        var stored = await session.GetAllMessagesAsync(user);

        Assert.False(retried.Replayed);
        Assert.Equal(MessageStatus.Complete, reply.Status);
        Assert.NotNull(stored);
        Assert.Equal(
            [("first", MessageStatus.Complete), ("", MessageStatus.Interrupted), (OfflineReplies.For("first", 0), MessageStatus.Complete)],
            stored.Select(m => (m.Content, m.Status)));
        Assert.Equal(["first", OfflineReplies.For("first", 0)], (await session.GetActivePathAsync(user))!.Select(m => m.Content));
    }

    /// <summary>A cluster of its own whose model has sent <paramref name="partial"/> of the first turn's reply and waits.</summary>
    private static async Task<(InProcessTestCluster Cluster, Guid TurnId, GatedReply Reply)> StartMidReplyAsync(
        string serviceId, Guid user, Guid sessionId, string partial)
    {
        var model = new GatedChatClient();
        var cluster = await TestClusters.StartAsync(serviceId, configureServices: services => services.AddSingleton<IChatClient>(model));
        var grain = cluster.Client.GetGrain<ISessionGrain>(sessionId);
        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = "first", CreateIfMissing = true });
        var reply = await model.NextReplyAsync();
        reply.Send(partial);
        var progress = await Turns.ReadMoreAsync(grain, user, started.TurnId, 0);
        Assert.Equal((partial, false), (progress.Text, progress.Done));
        return (cluster, started.TurnId, reply);
    }
}
