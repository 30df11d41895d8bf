using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Copilot.Testing.Polling;

namespace Copilot.Bench.Phases;

/// <summary>What a change to a user's session list writes, for users with few sessions and users with many: a create and
/// a rename through the session grain (its header, its list row, its expiry reminder), and the list's flush of one
/// session's activity (a touch, stored within the flush interval). Each kind runs one change at a time, after the
/// users' lists are filled; the WAL bytes of the whole batch are divided by its changes.</summary>
internal static class ListWritesPhase
{
    /// <summary>Sessions of the users with few.</summary>
    public const int FewSessions = 10;

    /// <summary>Longest wait for a touched list to be stored (its flush interval is 2 s by default).</summary>
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyList<ListWriteFigure>> RunAsync(
        ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var grains = target.Grains ?? throw new InvalidOperationException("Needs an Orleans client of the cluster (local mode).");
        var wal = target.Wal ?? throw new InvalidOperationException("Needs the service's database.");
        var database = target.Database!;
        var users = settings.Quick ? 2 : 4;
        var changesPerUser = settings.Quick ? 5 : 25;
        var flushRounds = settings.Quick ? 2 : 5;
        var figures = new List<ListWriteFigure>();
        foreach (var size in new[] { FewSessions, settings.ListSessions })
        {
            var sessions = await FillAsync(grains, users, size, settings.Users, cancellationToken);
            var owners = sessions.Keys.ToList();
            await GrowthPhase.QuietAsync(database, cancellationToken);

            figures.Add(await MeasureAsync(wal, "create", size, 1, [.. owners.SelectMany(user => Enumerable.Range(0, changesPerUser).Select(
                _ => (Func<Task>)(() => grains.GetGrain<ISessionGrain>(Guid.NewGuid()).CreateAsync(user, PersonaRole.Field))))]));
            // Each session renamed once: a user with few sessions has fewer renames to measure.
            figures.Add(await MeasureAsync(wal, "rename", size, 1, [.. owners.SelectMany(user => Enumerable.Range(0, Math.Min(changesPerUser, size)).Select(
                i => (Func<Task>)(() => grains.GetGrain<ISessionGrain>(sessions[user][i]).RenameAsync(user, $"renamed {i}"))))]));
            figures.Add(await MeasureAsync(wal, "activity flush", size, users, [.. Enumerable.Range(0, flushRounds).Select(
                _ => (Func<Task>)(() => TouchAndAwaitFlushAsync(grains, database, owners, cancellationToken)))]));
        }

        return figures;
    }

    /// <summary>Creates <paramref name="users"/> users with <paramref name="size"/> sessions each; returns their sessions.</summary>
    private static async Task<Dictionary<Guid, List<Guid>>> FillAsync(
        IGrainFactory grains, int users, int size, int concurrency, CancellationToken cancellationToken)
    {
        var sessions = Enumerable.Range(0, users).ToDictionary(
            _ => Guid.NewGuid(), _ => Enumerable.Range(0, size).Select(_ => Guid.NewGuid()).ToList());
        var work = sessions.SelectMany(user => user.Value.Select(session => (User: user.Key, Session: session))).ToList();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < work.Count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await grains.GetGrain<ISessionGrain>(work[i].Session).CreateAsync(work[i].User, PersonaRole.Field);
            }
        }));
        return sessions;
    }

    /// <summary>Touches each user's most recent session, as a turn would, and waits until every list has stored it.</summary>
    private static async Task TouchAndAwaitFlushAsync(
        IGrainFactory grains, Npgsql.NpgsqlDataSource database, IReadOnlyList<Guid> users, CancellationToken cancellationToken)
    {
        var touched = new List<SessionSummary>();
        foreach (var user in users)
        {
            var list = grains.GetGrain<IUserSessionsGrain>(user);
            var newest = (await list.ListAsync(1)).Sessions[0];
            var touch = newest with { UpdatedAt = newest.UpdatedAt.AddMilliseconds(1), MessageCount = newest.MessageCount + 1 };
            await list.TouchAsync(touch);
            touched.Add(touch);
        }

        var stored = await Poll.UntilAsync(
            async () =>
            {
                await using var command = database.CreateCommand(
                    "SELECT count(*) FROM copilot_user_sessions s JOIN unnest(@sessions, @counts) AS t(id, n) " +
                    "ON s.session_id = t.id AND s.message_count = t.n");
                command.Parameters.AddWithValue("sessions", touched.Select(t => t.Id).ToArray());
                command.Parameters.AddWithValue("counts", touched.Select(t => t.MessageCount).ToArray());
                return (long)(await command.ExecuteScalarAsync(cancellationToken))! == touched.Count;
            },
            FlushTimeout,
            TimeSpan.FromMilliseconds(50),
            cancellationToken);
        if (!stored)
        {
            throw new InvalidOperationException($"The touched lists were not stored within {FlushTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>Runs <paramref name="operations"/> one at a time, each of <paramref name="changesPerOperation"/> changes,
    /// reading the WAL around each.</summary>
    private static async Task<ListWriteFigure> MeasureAsync(
        WalCounter wal, string change, int sessions, int changesPerOperation, IReadOnlyList<Func<Task>> operations)
    {
        var windows = new WalWindows();
        foreach (var operation in operations)
        {
            var probe = new WindowProbe(wal, null);
            await probe.StartAsync();
            await operation();
            await probe.EndAsync();
            windows.Add(probe.WalBytes!.Value, probe.WalPageImageBytes);
        }

        var changes = operations.Count * changesPerOperation;
        return new ListWriteFigure(
            change,
            sessions,
            changes,
            windows.Mean * operations.Count / changes,
            windows.MedianWithoutImages / changesPerOperation);
    }
}
