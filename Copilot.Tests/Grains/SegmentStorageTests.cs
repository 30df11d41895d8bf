using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Storage;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Copilot.Tests.Grains;

/// <summary>What one write stores: a segment row of its own, written once, and no header rewrite per turn.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SegmentStorageTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Turns_and_appends_each_write_one_segment_and_leave_the_header_alone_until_a_seal()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = fixture.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);
        await CompleteTurnAsync(grain, user, "first question sets the title");
        var headerVersion = await HeaderVersionAsync(sessionId);

        for (var i = 0; i < 5; i++)
        {
            await CompleteTurnAsync(grain, user, $"question {i}");
        }

        await grain.AppendAsync(user, [new NewMessage(MessageRole.User, "a"), new NewMessage(MessageRole.Assistant, "b")]);

        Assert.Equal(headerVersion, await HeaderVersionAsync(sessionId));
        Assert.Equal(2 + 10 + 1, await Sql.SegmentRowCountAsync(sessionId));
        var info = (await grain.GetInfoAsync(user))!;
        Assert.Equal((14L, "first question sets the title"), (info.MessageCount, info.Title));
    }

    [Fact]
    public async Task A_seal_folds_the_segments_into_a_page_and_the_next_segments_reuse_their_rows()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = fixture.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);

        // The test cluster seals at 50 messages, and a session reuses 50 segment rows: 51 single-message appends make
        // one page, and the 51st segment is written over the first one's row.
        for (var i = 0; i < 51; i++)
        {
            await grain.AppendAsync(user, [new NewMessage(MessageRole.User, $"m{i}")]);
        }

        Assert.Equal(50, await Sql.SegmentRowCountAsync(sessionId));
        Assert.Equal(2, await Sql.SessionRowCountAsync(sessionId));
        Assert.Equal(Enumerable.Range(0, 51).Select(i => $"m{i}"), (await grain.GetAllMessagesAsync(user))!.Select(m => m.Content));
    }

    [Fact]
    public async Task A_restarted_session_reads_its_live_segments_from_reused_rows_and_writes_on()
    {
        var serviceId = "slots-" + Guid.NewGuid().ToString("N")[..8];
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var written = Enumerable.Range(0, 130).Select(i => $"m{i}").ToList();
        await AppendOneByOneInClusterAsync(serviceId, user, sessionId, written);

        // Two pages sealed and 30 live segments, in rows that also hold 20 segments of the second page.
        Assert.Equal(50, await Sql.SegmentRowCountAsync(sessionId));
        await using var second = await TestClusters.StartAsync(serviceId);
        var restarted = second.Client.GetGrain<ISessionGrain>(sessionId);
        Assert.Equal(written, (await restarted.GetAllMessagesAsync(user))!.Select(m => m.Content));

        await restarted.AppendAsync(user, [new NewMessage(MessageRole.User, "m130")]);
        for (var i = 131; i < 160; i++)
        {
            await restarted.AppendAsync(user, [new NewMessage(MessageRole.User, $"m{i}")]);
        }

        var all = (await restarted.GetAllMessagesAsync(user))!;
        Assert.Equal(Enumerable.Range(0, 160).Select(i => $"m{i}"), all.Select(m => m.Content));
        Assert.Equal(Enumerable.Range(0, 160).Select(i => (long)i), all.Select(m => m.Seq));
        Assert.Equal(50, await Sql.SegmentRowCountAsync(sessionId));

        // Deleting removes every row, also those this activation never read.
        Assert.True(await restarted.DeleteAsync(user));
        Assert.Equal(0, await Sql.SegmentRowCountAsync(sessionId));
        Assert.Equal(0, await Sql.SessionRowCountAsync(sessionId));
    }

    [Fact]
    public async Task A_session_created_before_rows_were_reused_keeps_a_row_per_segment_and_deletes_folded_ones()
    {
        var serviceId = "numbered-" + Guid.NewGuid().ToString("N")[..8];
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var written = Enumerable.Range(0, 71).Select(i => $"m{i}").ToList();
        await AppendOneByOneInClusterAsync(serviceId, user, sessionId, written.Take(10));

        // The header as the release before reused rows wrote it: no segment_slots.
        Assert.Single(await Sql.ColumnAsync<int>(
            """
            UPDATE orleansstorage
            SET payloadbinary = convert_to((convert_from(payloadbinary, 'UTF8')::jsonb - 'segment_slots')::text, 'UTF8')
            WHERE graintypestring = 'copilotsession' AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'id' = @id::text
            RETURNING version
            """,
            sessionId));

        await using var second = await TestClusters.StartAsync(serviceId);
        var restarted = second.Client.GetGrain<ISessionGrain>(sessionId);
        foreach (var content in written.Skip(10))
        {
            await restarted.AppendAsync(user, [new NewMessage(MessageRole.User, content)]);
        }

        // One page sealed at 50: its 50 segment rows are deleted, the 21 live ones remain.
        Assert.Equal(21, await Sql.SegmentRowCountAsync(sessionId));
        Assert.Equal(written, (await restarted.GetAllMessagesAsync(user))!.Select(m => m.Content));
        Assert.True(await restarted.DeleteAsync(user));
        Assert.Equal(0, await Sql.SegmentRowCountAsync(sessionId));
        Assert.Equal(0, await Sql.SessionRowCountAsync(sessionId));
    }

    [Fact]
    public async Task A_retried_send_finds_its_reply_however_far_back_it_is()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = fixture.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);
        var first = await grain.StartTurnAsync(user, new TurnRequest { Content = "remember me", ClientMessageId = "c-1" });
        var reply = (await Turns.ReadToEndAsync(grain, user, first.TurnId))[^1].Message!;

        // 60 more turns (120 messages, across sealed pages) push the reply far past the newest few.
        for (var i = 0; i < 60; i++)
        {
            await CompleteTurnAsync(grain, user, $"later {i}");
        }

        var retried = await grain.StartTurnAsync(user, new TurnRequest { Content = "remember me", ClientMessageId = "c-1" });
        Assert.Equal((true, first.TurnId, first.UserMessage.Id), (retried.Replayed, retried.TurnId, retried.UserMessage.Id));
        var progress = await grain.ReadReplyAsync(user, retried.TurnId, 0, TimeSpan.Zero);
        Assert.Equal((true, reply.Content, reply.Seq), (progress.Done, progress.Text, progress.Message!.Seq));
        Assert.Equal(122, (await grain.GetInfoAsync(user))!.MessageCount);
    }

    [Fact]
    public async Task Deleting_a_session_s_rows_keeps_a_few_storage_calls_in_flight_not_one_per_row()
    {
        // A session reusing 50 rows, all written, deleted by an activation that has not read them (so each delete reads
        // its row's version first): a call per row at once would take 50 connections from the pool and PostgreSQL.
        var sessionId = Guid.NewGuid();
        var silo = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).ServiceProvider;
        var storage = new InFlightCountingStorage(silo.GetRequiredKeyedService<IGrainStorage>(CopilotStorage.ProviderName));
        var header = new SessionState { Id = sessionId, SegmentSlots = 50, CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-1) };
        var writer = new SegmentStore(storage, sessionId, () => header);
        for (var n = 0; n < 50; n++)
        {
            await writer.WriteAsync(new SessionSegment { SessionId = sessionId, SegmentNumber = n });
        }

        Assert.Equal(50, await Sql.SegmentRowCountAsync(sessionId));
        var deleter = new SegmentStore(storage, sessionId, () => header);
        storage.ResetPeak();
        Assert.Empty(await deleter.DeleteRowsAsync(deleter.RowsInUse(0, 50)));
        Assert.Equal(0, await Sql.SegmentRowCountAsync(sessionId));
        Assert.InRange(storage.Peak, 1, SegmentStore.ReadAhead);
    }

    /// <summary>Creates the session in a cluster of its own on <paramref name="serviceId"/>, appends each of
    /// <paramref name="contents"/> as a segment of its own, and stops the cluster.</summary>
    private static async Task AppendOneByOneInClusterAsync(string serviceId, Guid user, Guid sessionId, IEnumerable<string> contents)
    {
        await using var cluster = await TestClusters.StartAsync(serviceId);
        var grain = cluster.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);
        foreach (var content in contents)
        {
            await grain.AppendAsync(user, [new NewMessage(MessageRole.User, content)]);
        }

        await cluster.StopAllSilosAsync();
    }

    private static async Task CompleteTurnAsync(ISessionGrain grain, Guid user, string content)
    {
        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = content });
        await Turns.ReadToEndAsync(grain, user, started.TurnId);
    }

    private static async Task<int> HeaderVersionAsync(Guid sessionId) => (await Sql.ColumnAsync<int>(
        """
        SELECT version FROM orleansstorage
        WHERE graintypestring = 'copilotsession' AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'id' = @id::text
        """,
        sessionId)).Single();
}

/// <summary>The silo's real grain storage, counting how many of its calls are in flight at once.</summary>
internal sealed class InFlightCountingStorage(IGrainStorage inner) : IGrainStorage
{
    private int _inFlight;
    private int _peak;

    /// <summary>The most calls in flight at once since the last <see cref="ResetPeak"/>.</summary>
    public int Peak => Volatile.Read(ref _peak);

    public void ResetPeak() => Volatile.Write(ref _peak, 0);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        CountAsync(() => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        CountAsync(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        CountAsync(() => inner.ClearStateAsync(stateName, grainId, grainState));

    private async Task CountAsync(Func<Task> call)
    {
        var now = Interlocked.Increment(ref _inFlight);
        for (var peak = Volatile.Read(ref _peak); now > peak; peak = Volatile.Read(ref _peak))
        {
            if (Interlocked.CompareExchange(ref _peak, now, peak) == peak)
            {
                break;
            }
        }

        try
        {
            await call();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
