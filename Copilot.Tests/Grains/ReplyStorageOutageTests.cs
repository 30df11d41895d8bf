using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Silo.Database;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.TestingHost;

namespace Copilot.Tests.Grains;

/// <summary>A reply whose write meets a PostgreSQL restart, on a two-silo cluster with a PostgreSQL server of its own
/// (stopped and started by the test).</summary>
public sealed class ReplyStorageOutageTests : IAsyncLifetime
{
    private readonly GatedChatClient _model = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), TestDatabase.DirectoryPrefix + "outage-" + Guid.NewGuid().ToString("N")[..8]);
    private LocalPostgres _server = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _server = await LocalPostgres.StartAsync(_directory);
        await using (var dataSource = NpgsqlDataSource.Create(_server.ConnectionString))
        {
            await SchemaMigrator.ApplyAsync(dataSource, SchemaMigrator.DefaultScriptDirectory, NullLogger.Instance);
        }

        _cluster = await TestClusters.StartAsync(
            "outage-" + Guid.NewGuid().ToString("N")[..8],
            silos: 2,
            settings: new Dictionary<string, string?> { ["Copilot:Sessions:ReplyWriteRetryWindow"] = "00:02:00" },
            configureServices: services => services.AddSingleton<IChatClient>(_model),
            connectionString: _server.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_reply_that_streamed_while_PostgreSQL_restarted_is_stored_in_full_once_it_is_back()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = _cluster.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);
        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = "what about the roof?", ClientMessageId = "c-1" });
        var reply = await _model.NextReplyAsync();
        reply.Send("The roof ");

        var port = _server.Port;
        await _server.DisposeAsync();
        reply.Send("needs new flashing.");
        reply.Complete();

        // The reply has ended but cannot be stored: the turn stays open (not an error, not an empty stand-in).
        await Eventually.HoldsAsync(
            async () => (await grain.ReadReplyAsync(user, started.TurnId, 0, TimeSpan.Zero)).Text == "The roof needs new flashing.",
            "the whole reply has streamed");
        var whileDown = await grain.ReadReplyAsync(user, started.TurnId, 0, TimeSpan.FromSeconds(1));
        Assert.False(whileDown.Done, $"the turn ended as {whileDown.Status}/{whileDown.ErrorCode} while PostgreSQL was down");

        _server = await LocalPostgres.StartAsync(_directory, port);
        ReplyProgress progress = null!;
        await Eventually.HoldsAsync(
            async () => (progress = await grain.ReadReplyAsync(user, started.TurnId, 0, TimeSpan.FromSeconds(1))).Done,
            "the reply is stored after PostgreSQL is back");

        Assert.Equal(MessageStatus.Complete, progress.Status);
        Assert.Equal("The roof needs new flashing.", progress.Text);
        Assert.Equal(started.TurnId, progress.Message!.Id);
        var messages = (await grain.GetAllMessagesAsync(user))!;
        Assert.Equal(["what about the roof?", "The roof needs new flashing."], messages.Select(m => m.Content));
        Assert.Equal(MessageStatus.Complete, messages[1].Status);

        // What storage holds, read directly: the reply once, with its text.
        await using var dataSource = NpgsqlDataSource.Create(_server.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT content, metadata ->> 'status' FROM copilot_messages WHERE id = @id");
        command.Parameters.AddWithValue("id", started.TurnId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("The roof needs new flashing.", "complete"), (reader.GetString(0), reader.GetString(1)));
        Assert.False(await reader.ReadAsync());

        // A retried send of the same message is answered from the stored turn.
        var retried = await grain.StartTurnAsync(user, new TurnRequest { Content = "what about the roof?", ClientMessageId = "c-1" });
        Assert.True(retried.Replayed);
        Assert.Equal(MessageStatus.Complete, (await grain.ReadReplyAsync(user, retried.TurnId, 0, TimeSpan.Zero)).Status);
    }
}
