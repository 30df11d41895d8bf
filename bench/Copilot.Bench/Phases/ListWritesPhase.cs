using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Copilot.Testing.Polling;

namespace Copilot.Bench.Phases;

/// <summary>What a change to a user's session list writes, for users with few sessions and users with many: a create and
/// a rename through the session grain (its header, its list row, its expiry reminder), and the list's flush of one
/// session's activity (a touch, stored within the flush interval). Each kind runs one change at a time, after every
/// user's list is filled: the WAL bytes of the whole batch divided by its changes, and the median of the changes that
/// logged no full-page image (the figure judged, <see cref="WalWindows"/>).</summary>
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

        // Both kinds of user are filled before either is measured, so that both are measured on the same tables, their
        // pages filled as far as their fillfactor lets inserts go, as in a service that holds many users' lists. On
        // tables holding only the few users' rows, a rename wrote ~128 bytes less: its pages still had room, and an
        // update on a page with room clears no old versions (a page-pruning record of ~60 bytes, in the list table and
        // in the header's); what differed was how full the tables were, not the length of the user's list.
        var groups = new List<(int Size, Dictionary<Guid, List<Guid>> Sessions)>();
        foreach (var size in new[] { FewSessions, settings.ListSessions })
        {
            groups.Add((size, await FillAsync(grains, users, size, settings.Users, cancellationToken)));
        }

        await GrowthPhase.QuietAsync(database, cancellationToken);
        foreach (var (size, sessions) in groups)
        {
            var owners = sessions.Keys.ToList();
            figures.Add(await MeasureAsync(wal, "create", size, 1, [.. owners.SelectMany(user => Enumerable.Range(0, changesPerUser).Select(
                _ => (Func<Task>)(() => grains.GetGrain<ISessionGrain>(Guid.NewGuid()).CreateAsync(user, PersonaRole.Field))))]));
            // Each session renamed once: a user with few sessions has fewer renames to measure.
            figures.Add(await MeasureAsync(wal, "rename", size, 1, [.. owners.SelectMany(user => Enumerable.Range(0, Math.Min(changesPerUser, size)).Select(
                i => (Func<Task>)(() => grains.GetGrain<ISessionGrain>(sessions[user][i]).RenameAsync(user, $"renamed {i}"))))]));
            // Each round touches another of the sessions the users' lists were filled with, as a turn in it would.
            figures.Add(await MeasureAsync(wal, "activity flush", size, users, [.. Enumerable.Range(0, flushRounds).Select(
                round => (Func<Task>)(() => TouchAndAwaitFlushAsync(
                    grains, database, [.. owners.Select(user => (user, sessions[user][round % size]))], cancellationToken)))]));
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

    /// <summary>Touches each of <paramref name="sessions"/> in its user's list, as a turn would, and waits until every
    /// list has stored it.</summary>
    private static async Task TouchAndAwaitFlushAsync(
        IGrainFactory grains, Npgsql.NpgsqlDataSource database, IReadOnlyList<(Guid User, Guid Session)> sessions, CancellationToken cancellationToken)
    {
        var touched = new List<SessionSummary>();
        foreach (var (user, session) in sessions)
        {
            var info = await grains.GetGrain<ISessionGrain>(session).GetInfoAsync(user)
                ?? throw new InvalidOperationException($"Session {session} of user {user} is gone.");
            var touch = new SessionSummary
            {
                Id = info.Id,
                Title = info.Title,
                Role = info.Role,
                CreatedAt = info.CreatedAt,
                UpdatedAt = DateTimeOffset.UtcNow,
                MessageCount = info.MessageCount + 1,
            };
            await grains.GetGrain<IUserSessionsGrain>(user).TouchAsync(touch);
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
