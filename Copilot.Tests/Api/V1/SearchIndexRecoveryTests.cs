using System.Net;
using System.Text.Json;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Silo.Database;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Copilot.Tests.Api.V1;

/// <summary>The search index is unlogged: PostgreSQL empties it when it recovers from a crash. Searches say so (503
/// <c>search_rebuilding</c>) until the service has rebuilt it beside its writes, and then find every stored message
/// again, written before the crash or since, and none of a session deleted meanwhile. Each test on a database of its
/// own: they empty the index.</summary>
public sealed class SearchIndexRecoveryTests
{
    private const string Title = "00000000-0000-0000-0000-000000000000";

    [Fact]
    public async Task An_index_PostgreSQL_lost_in_a_crash_is_rebuilt_and_searches_answer_503_until_then()
    {
        var directory = Path.Combine(Path.GetTempPath(), TestDatabase.DirectoryPrefix + "crash-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await LocalPostgres.StartAsync(directory);
        try
        {
            await using var app = await CopilotAppFactory.StartAsync("crash", connectionString: server.ConnectionString);
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            var database = app.Services.GetRequiredService<CopilotDatabase>();
            var user = new V1Client(app.CreateClient(), Guid.NewGuid());
            var kept = await StoreAsync(grains, user, "Where does the cricket go behind the chimney?", "Upslope of the chimney.");
            var doomed = await StoreAsync(grains, user, "Is the chimney cricket in the quote?", "Yes, line 14 of the quote.");
            var before = SessionIds(await SearchOkAsync(user, "chimney"));
            Assert.Equal([.. new[] { doomed, kept }.Order()], [.. before.Order()]);

            // PostgreSQL crashes and recovers: it empties every unlogged table, the index and its "whole" row with it.
            await LocalPostgres.RunToolAsync("pg_ctl", ["-D", directory, "-m", "immediate", "-w", "stop"]);
            server = await LocalPostgres.StartAsync(directory, server.Port);
            database.DataSource.Clear();
            Assert.Equal(0, await Sql.ScalarAsync<long>(
                database.DataSource, "SELECT (SELECT count(*) FROM copilot_search) + (SELECT count(*) FROM copilot_search_built)"));

            // Before any search notices: a message added, a session deleted, a session created.
            await grains.GetGrain<ISessionGrain>(kept).AppendAsync(
                user.UserId, [new NewMessage(MessageRole.User, "Does the chimney saddle need its own underlayment?")]);
            Assert.True(await grains.GetGrain<ISessionGrain>(doomed).DeleteAsync(user.UserId));
            var created = await StoreAsync(grains, user, "Chimney flashing for the Elm Street job");

            using (var during = await user.Http.SendAsync(user.NewRequest(HttpMethod.Get, "/v1/search?q=chimney")))
            {
                V1Client.AssertProblem(await V1Client.ReadAsync(during), HttpStatusCode.ServiceUnavailable, "search_rebuilding");
                Assert.Equal(TimeSpan.FromSeconds(5), during.Headers.RetryAfter?.Delta);
            }

            var hits = new List<JsonElement>();
            await Eventually.HoldsAsync(
                async () =>
                {
                    var (status, body, _) = await user.CallAsync(HttpMethod.Get, "/v1/search?q=chimney&limit=50");
                    hits = status == HttpStatusCode.OK ? [.. body.GetProperty("data").EnumerateArray()] : hits;
                    return status == HttpStatusCode.OK;
                },
                "searches answer again");

            Assert.Equal(
                [.. new[] { kept, kept, kept, kept, created, created }.Order()],
                [.. hits.Select(h => h.GetProperty("session_id").GetGuid()).Order()]);
            Assert.Contains(hits, h => h.GetProperty("snippet").GetString()!.Contains("saddle", StringComparison.Ordinal));
            Assert.Equal(1, await Sql.ScalarAsync<long>(database.DataSource, "SELECT count(*) FROM copilot_search_built"));
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_rebuild_catches_a_write_and_a_delete_that_ran_beside_its_fill()
    {
        await using var app = new CopilotAppFactory(await TestDatabase.CreateEmptyDatabaseAsync());
        app.StartServer();
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var dataSource = app.Services.GetRequiredService<CopilotDatabase>().DataSource;
        var user = new V1Client(app.CreateClient(), Guid.NewGuid());
        var written = await StoreAsync(grains, user, "Ridge vent baffles for the garage", "Use the shingle-over kind.");
        var deleted = await StoreAsync(grains, user, "Ridge cap color for the Oak Lane job", "Weathered wood.");
        await Sql.ScalarAsync<object>(dataSource, "TRUNCATE copilot_search, copilot_search_built");

        // A transaction holding the written session's title row uncommitted: the fill's insert of that row waits for it,
        // so the writes below run while the fill is under way.
        await using var holder = await dataSource.OpenConnectionAsync();
        await using var held = await holder.BeginTransactionAsync();
        await Exec(holder, $"INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body, tsv, codes) VALUES ('{written}', '{Title}', '{user.UserId}', 'field', 'title', now(), '', '', '')");

        // A segment of the written session whose trigger finds no title row, and the deleted session's header gone, both
        // uncommitted until the fill has committed.
        await using var segmentWriter = await dataSource.OpenConnectionAsync();
        await using var segment = await segmentWriter.BeginTransactionAsync();
        var lateMessage = Guid.NewGuid();
        // Under a grain key no session uses and a segment number past the session's own, so the views read it.
        await Sql.WriteSegmentAsync(segmentWriter, app.ServiceId, written, 99, lateMessage, "Ridge vent baffles arrived on site");
        await using var deleter = await dataSource.OpenConnectionAsync();
        await using var delete = await deleter.BeginTransactionAsync();
        var (n0, n1) = Sql.GuidHalves(deleted);
        await Exec(deleter, $"DELETE FROM orleansstorage WHERE graintypestring = 'copilotsession' AND grainidn0 = {n0} AND grainidn1 = {n1}");

        await using var rebuilder = await dataSource.OpenConnectionAsync();
        await using var call = new NpgsqlCommand("CALL copilot_search_rebuild_concurrently(empty_first => false)", rebuilder);
        var rebuild = call.ExecuteNonQueryAsync();
        await WaitForAsync(dataSource, rebuilder.ProcessID, "Lock");
        await held.RollbackAsync();

        // The fill has committed and waits for the two writes: it indexed the deleted session (its header was there for
        // it) and not the late message (not committed for it).
        await WaitForAsync(dataSource, rebuilder.ProcessID, "PgSleep");
        Assert.Equal([true], await Sql.ColumnAsync<bool>(dataSource, "SELECT count(*) > 0 FROM copilot_search WHERE session_id = @id", deleted));
        Assert.Equal([0L], await Sql.ColumnAsync<long>(dataSource, "SELECT count(*) FROM copilot_search WHERE message_id = @id", lateMessage));
        await segment.CommitAsync();
        await delete.CommitAsync();
        await rebuild;

        Assert.Equal([1L], await Sql.ColumnAsync<long>(dataSource, "SELECT count(*) FROM copilot_search WHERE message_id = @id", lateMessage));
        Assert.Equal([0L], await Sql.ColumnAsync<long>(dataSource, "SELECT count(*) FROM copilot_search WHERE session_id = @id", deleted));
        Assert.Equal([4L], await Sql.ColumnAsync<long>(dataSource, "SELECT count(*) FROM copilot_search WHERE session_id = @id", written));
        Assert.Equal([written], SessionIds(await SearchOkAsync(user, "baffles")));
        Assert.Empty(await SearchOkAsync(user, "weathered"));
    }

    /// <summary>The operator's rebuild, <c>Copilot.Silo reindex</c>, run beside a running service with nothing but the
    /// connection string: it recomputes every row and says how many.</summary>
    [Fact]
    public async Task The_reindex_command_rebuilds_the_index_beside_the_running_service_and_says_how_many_rows()
    {
        var connectionString = await TestDatabase.CreateEmptyDatabaseAsync();
        await using var app = new CopilotAppFactory(connectionString);
        app.StartServer();
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var dataSource = app.Services.GetRequiredService<CopilotDatabase>().DataSource;
        var user = new V1Client(app.CreateClient(), Guid.NewGuid());
        var session = await StoreAsync(grains, user, "Where do the snow guards go on the standing seam roof?", "Two rows above the eave.");

        // Rows lost while the index is marked whole: only a rebuild brings them back, the service does not notice.
        await Sql.ScalarAsync<object>(dataSource, "DELETE FROM copilot_search");
        Assert.Empty(await SearchOkAsync(user, "snow guards"));

        var run = await SiloCommandLine.RunAsync(["reindex"], new Dictionary<string, string?> { ["ConnectionStrings__Copilot"] = connectionString });

        Assert.True(run.ExitCode == 0, $"reindex exited {run.ExitCode}: {run.Stdout}{run.Stderr}");
        var rows = await Sql.ScalarAsync<long>(dataSource, "SELECT count(*) FROM copilot_search");
        Assert.True(rows > 0);
        Assert.Contains($"Search index rebuilt: {rows} rows.", run.Stdout, StringComparison.Ordinal);
        Assert.Equal([session], SessionIds(await SearchOkAsync(user, "snow guards")));
    }

    private static async Task<Guid> StoreAsync(IGrainFactory grains, V1Client user, params string[] texts)
    {
        var sessionId = Guid.NewGuid();
        var session = grains.GetGrain<ISessionGrain>(sessionId);
        await session.CreateAsync(user.UserId, PersonaRole.Field);
        await session.AppendAsync(
            user.UserId, [.. texts.Select((text, i) => new NewMessage(i % 2 == 0 ? MessageRole.User : MessageRole.Assistant, text))]);
        return sessionId;
    }

    private static async Task<List<JsonElement>> SearchOkAsync(V1Client user, string q) =>
        [.. (await user.GetOkAsync($"/v1/search?q={Uri.EscapeDataString(q)}&limit=50")).GetProperty("data").EnumerateArray()];

    private static List<Guid> SessionIds(List<JsonElement> hits) =>
        [.. hits.Select(h => h.GetProperty("session_id").GetGuid()).Distinct()];

    private static async Task Exec(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until the server process <paramref name="pid"/> waits on <paramref name="waitEvent"/> (a lock type
    /// or an event name).</summary>
    private static Task WaitForAsync(NpgsqlDataSource dataSource, int pid, string waitEvent) => Eventually.HoldsAsync(
        () => Sql.ScalarAsync<bool>(
            dataSource, $"SELECT count(*) > 0 FROM pg_stat_activity WHERE pid = {pid} AND '{waitEvent}' IN (wait_event_type, wait_event)"),
        $"the rebuild waits on {waitEvent}");
}
