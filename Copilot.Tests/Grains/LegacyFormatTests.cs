using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Copilot.Silo.Database;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orleans.TestingHost;

namespace Copilot.Tests.Grains;

/// <summary>Rows written by the release that kept the open page in the session header (<c>Fixtures/Postgres/LegacySession.sql</c>,
/// dumped from a real run of it) load, continue, page and expire with no manual step.</summary>
public sealed class LegacyFormatTests : IAsyncLifetime
{
    private static readonly Guid Owner = Guid.Parse("0a6f3a52-8f0e-4f57-9d1e-1c2b3a4d5e6f");
    private static readonly Guid SessionId = Guid.Parse("5e551011-aaaa-4bbb-8ccc-0123456789ab");
    private static readonly Guid InFlightTurnId = Guid.Parse("ee4143b7-bfff-4a85-8e1b-cad88694d37c");

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly GatedChatClient _model = new();
    private NpgsqlDataSource _dataSource = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await TestDatabase.CreateEmptyDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(connectionString);
        await SchemaMigrator.ApplyAsync(_dataSource, SchemaMigrator.DefaultScriptDirectory, NullLogger.Instance);
        var fixture = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "Copilot.Tests", "Fixtures", "Postgres", "LegacySession.sql"));
        await using (var load = _dataSource.CreateCommand(fixture))
        {
            await load.ExecuteNonQueryAsync();
        }

        _cluster = await TestClusters.StartAsync(
            "legacy-fixture",
            configureServices: services =>
            {
                services.AddSingleton<IChatClient>(_model);
                services.AddKeyedSingleton<TimeProvider>(SessionsOptions.ClockKey, _clock);
            },
            connectionString: connectionString);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    [Fact]
    public async Task A_session_stored_by_the_previous_release_reads_as_one_branch_and_branches_from_its_messages()
    {
        var grain = _cluster.Client.GetGrain<ISessionGrain>(SessionId);
        var all = (await grain.GetAllMessagesAsync(Owner))!;
        var path = (await grain.GetMessagesAsync(Owner, null, 100))!;

        Assert.Equal(Guid.Empty, all[0].ParentId);
        Assert.Equal(all.SkipLast(1).Select(m => (Guid?)m.Id), all.Skip(1).Select(m => m.ParentId));
        Assert.Equal(all.Select(m => m.Id).Reverse(), path.Messages.Select(m => m.Id));
        Assert.Empty(path.Forks);

        // A new reply to a legacy question, named by its stored id: the model sees the legacy path up to it.
        var question = all[60];
        var started = await grain.StartTurnAsync(
            Owner, new TurnRequest { Content = question.Content, ClientMessageId = question.Id.ToString(), Regenerate = true });
        var model = await _model.NextReplyAsync();
        Assert.Equal([all[59].Content, question.Content], model.Input.TakeLast(2).Select(m => m.Text));
        model.Send("regenerated");
        model.Complete();
        await Turns.ReadToEndAsync(grain, Owner, started.TurnId);
        var page = (await grain.GetMessagesAsync(Owner, null, 3))!;

        Assert.Equal([started.TurnId, question.Id, all[59].Id], page.Messages.Select(m => m.Id));
        Assert.Equal([all[61].Id, started.TurnId], page.VersionsOf(page.Messages[0]));
        Assert.Equal(63, (await grain.GetAllMessagesAsync(Owner))!.Count);
        await SessionViews.AssertMatchGrainAsync(_dataSource, grain, Owner);
    }

    [Fact]
    public async Task A_session_stored_by_the_previous_release_loads_continues_pages_and_expires()
    {
        var grain = _cluster.Client.GetGrain<ISessionGrain>(SessionId);

        // Loads: the header's open page follows the sealed pages; the turn in flight is recorded as interrupted.
        var info = (await grain.GetInfoAsync(Owner))!;
        Assert.Equal((PersonaRole.Field, "legacy m0 ünïcødé \"quoted\"", 62L), (info.Role, info.Title, info.MessageCount));
        var all = (await grain.GetAllMessagesAsync(Owner))!;
        Assert.Equal(Enumerable.Range(0, 62).Select(i => (long)i), all.Select(m => m.Seq));
        Assert.Equal("legacy turn in flight", all[60].Content);
        Assert.Equal((InFlightTurnId, MessageStatus.Interrupted), (all[61].Id, all[61].Status));
        var reply = await grain.ReadReplyAsync(Owner, InFlightTurnId, 0, TimeSpan.Zero);
        Assert.Equal((true, MessageStatus.Interrupted), (reply.Done, reply.Status));
        // Sent again, the question is found by its legacy client id; its reply was interrupted before any text, so the
        // model is asked again (a new reply next to the interrupted one), not the empty reply replayed.
        var retried = await grain.StartTurnAsync(Owner, new TurnRequest { Content = "legacy turn in flight", ClientMessageId = "legacy-client-1" });
        Assert.Equal((false, 60L), (retried.Replayed, retried.UserMessage.Seq));
        Assert.NotEqual(InFlightTurnId, retried.TurnId);
        var answered = await _model.NextReplyAsync();
        answered.Send("answered at last");
        answered.Complete();
        await Turns.ReadToEndAsync(grain, Owner, retried.TurnId);
        Assert.Contains(SessionId, (await _cluster.Client.GetGrain<IUserSessionsGrain>(Owner).ListAsync(10)).Sessions.Select(s => s.Id));
        await SessionViews.AssertMatchGrainAsync(_dataSource, grain, Owner);

        // Continues and pages: the next seal folds the legacy open page into a page and empties the header's.
        var started = await grain.StartTurnAsync(Owner, new TurnRequest { Content = "a new turn" });
        var model = await _model.NextReplyAsync();
        Assert.Equal(["legacy turn in flight", "answered at last", "a new turn"], model.Input.TakeLast(3).Select(m => m.Text));
        model.Send("a new reply");
        model.Complete();
        await Turns.ReadToEndAsync(grain, Owner, started.TurnId);
        for (var i = 0; i < 60; i++)
        {
            await grain.AppendAsync(Owner, [new NewMessage(MessageRole.User, $"new m{i}")]);
        }

        all = (await grain.GetAllMessagesAsync(Owner))!;
        Assert.Equal(Enumerable.Range(0, 125).Select(i => (long)i), all.Select(m => m.Seq));
        Assert.Equal(["answered at last", "a new turn", "a new reply"], all.Skip(62).Take(3).Select(m => m.Content));
        Assert.Equal(
            [0],
            await ColumnAsync<int>(
                "SELECT jsonb_array_length(convert_from(payloadbinary, 'UTF8')::jsonb -> 'messages') FROM orleansstorage WHERE graintypestring = 'copilotsession'"));
        var walked = new List<long>();
        for (long? before = null; ;)
        {
            var page = (await grain.GetMessagesAsync(Owner, before, 17))!;
            walked.AddRange(page.Messages.Select(m => m.Seq));
            if ((before = page.NextBeforeSeq) is null)
            {
                break;
            }
        }

        // The active path: the interrupted reply (61) is on the branch the retry replaced.
        Assert.Equal(Enumerable.Range(0, 125).Where(i => i != 61).Reverse().Select(i => (long)i), walked);
        await SessionViews.AssertMatchGrainAsync(_dataSource, grain, Owner);

        // Expires: every row of it goes.
        _clock.Advance(TimeSpan.FromDays(31));
        Assert.True(await grain.ExpireIfIdleAsync());
        Assert.Null(await grain.GetInfoAsync(Owner));
        Assert.Equal(
            [0L],
            await ColumnAsync<long>(
                "SELECT count(*) FROM orleansstorage WHERE graintypestring IN ('copilotsession', 'copilotsessionpage', 'copilotsegment') AND payloadbinary IS NOT NULL"));
        Assert.Empty((await _cluster.Client.GetGrain<IUserSessionsGrain>(Owner).ListAsync(10)).Sessions);
    }

    private async Task<List<T>> ColumnAsync<T>(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
