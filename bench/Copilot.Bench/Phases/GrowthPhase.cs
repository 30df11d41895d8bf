using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;

namespace Copilot.Bench.Phases;

/// <summary>Turns in sessions that already hold 10, 100, 1,000, 5,000 messages: does a turn cost more, in time or in
/// bytes written, as the history grows?</summary>
/// <remarks>
/// The service rewrites the open page (up to <see cref="PageCycle"/> messages) on every write and seals it into its
/// own row when full, so a turn's bytes rise and fall over a page cycle whatever the history. To compare lengths
/// fairly, each length has several sessions whose lengths are spread evenly over one page cycle, and their turns
/// together cover it. Turns run one at a time, so latency is a turn's own, not queueing behind others.
/// </remarks>
internal static class GrowthPhase
{
    /// <summary>The service's default <c>Copilot:Sessions:PageMaxMessages</c>.</summary>
    public const int PageCycle = 100;

    private const int AppendBatch = 500;

    private const int WarmupTurns = 50;

    public static async Task<GrowthResult> RunAsync(ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var http = new CopilotHttp(target);
        var groups = settings.GrowthLengths.Select(length => new Group(
                length + (length % 2),
                target.SharedUser ? Guid.Empty : Guid.NewGuid(),
                [.. Enumerable.Range(0, settings.GrowthSessions).Select(k => Even(k * PageCycle / settings.GrowthSessions))]))
            .ToList();

        // Pre-fill every session of every length, a few at a time.
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(groups.SelectMany(group => group.Offsets.Select(async (offset, k) =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                // Two short: one unmeasured turn per session comes before the measured ones.
                group.Sessions[k] = await PrefillAsync(target, http, group.User, group.Length + offset - 2, settings.LongReplyChars, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        })));

        // A few unmeasured turns first, for when this phase runs on a cold service.
        Guid? warm = null;
        var warmUser = target.SharedUser ? Guid.Empty : Guid.NewGuid();
        for (var i = 0; i < WarmupTurns; i++)
        {
            warm = await http.TurnAsync(warmUser, warm, Conversation.Question(i), cancellationToken);
        }

        var wal = target.Wal;
        if (target.Database is { } database)
        {
            await QuietAsync(database, cancellationToken);
        }

        var figures = new List<GrowthFigure>();
        foreach (var group in groups)
        {
            // The first change to a table page after a checkpoint logs the whole 8 KiB page. One unmeasured turn per
            // session takes that cost for the pages its rows are on, so the measured turns show what a turn writes
            // (a checkpoint that starts meanwhile still shows up, in every length alike).
            var unmeasured = group.Length / 2;
            foreach (var session in group.Sessions)
            {
                await http.TurnAsync(group.User, session, Conversation.Question(unmeasured++), cancellationToken);
            }

            await Task.Delay(500, cancellationToken);
            var latencies = new List<double>();
            var positions = new List<long>();
            if (wal is not null)
            {
                positions.Add(await wal.PositionAsync());
            }

            var asked = unmeasured;
            foreach (var session in group.Sessions)
            {
                for (var t = 0; t < settings.GrowthTurnsPerSession; t++)
                {
                    var began = System.Diagnostics.Stopwatch.GetTimestamp();
                    await http.TurnAsync(group.User, session, Conversation.Question(++asked), cancellationToken);
                    latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                    if (wal is not null)
                    {
                        positions.Add(await wal.PositionAsync());
                    }
                }
            }

            var windows = new WalWindows();
            if (wal is not null)
            {
                // The user index is updated just after the reply ends; wait for the last one before the last reading.
                await Task.Delay(250, cancellationToken);
                positions[^1] = await wal.PositionAsync();
                for (var i = 1; i < positions.Count; i++)
                {
                    await windows.AddAsync(wal, positions[i - 1], positions[i]);
                }
            }

            figures.Add(new GrowthFigure(
                group.Length,
                group.Length + group.Offsets.Max() + (2 * settings.GrowthTurnsPerSession) - 2,
                latencies.Count,
                LatencySummary.From(latencies),
                windows.Mean,
                windows.ImagesMean,
                windows.MedianWithoutImages,
                windows.CountWithoutImages,
                windows.Min,
                windows.Max));
        }

        var longest = groups.MaxBy(g => g.Length)!;
        return new GrowthResult(
            figures,
            longest.User,
            longest.Sessions[0],
            longest.Length,
            target.Grains is null
                ? "HTTP turns (zero-delay model)"
                : $"the session grain's AppendAsync through an Orleans client, {AppendBatch} messages per call, the assistant's " +
                    $"of the same size and kind as the model's ({Conversation.SizeName(settings.LongReplyChars)})");
    }

    /// <summary>A session of <paramref name="user"/> holding <paramref name="messages"/> messages, alternating user and
    /// assistant; through the grain when the bench hosts a client of the cluster, else through HTTP turns.</summary>
    public static async Task<Guid> PrefillAsync(
        ServiceTarget target, CopilotHttp http, Guid user, int messages, int replyChars, CancellationToken cancellationToken)
    {
        if (target.Grains is { } grains)
        {
            var id = Guid.NewGuid();
            var session = grains.GetGrain<ISessionGrain>(id);
            await session.CreateAsync(user, PersonaRole.Field);
            var done = 0;
            while (done < messages)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = new List<NewMessage>(AppendBatch);
                for (; batch.Count < AppendBatch && done < messages; done++)
                {
                    batch.Add(done % 2 == 0
                        ? new NewMessage(MessageRole.User, Conversation.Question(done / 2))
                        : new NewMessage(MessageRole.Assistant, Conversation.Reply(done / 2, replyChars)));
                }

                await session.AppendAsync(user, batch);
            }

            return id;
        }

        Guid? sessionId = null;
        for (var turn = 0; turn < Math.Max(1, messages / 2); turn++)
        {
            sessionId = await http.TurnAsync(user, sessionId, Conversation.Question(turn), cancellationToken);
        }

        return sessionId!.Value;
    }

    private static int Even(int n) => n - (n % 2);

    /// <summary>Vacuums and checkpoints before a measurement. The WAL counter is server-wide: a pre-fill leaves dead rows
    /// (its sealed segments) that autovacuum may clean up during the measured turns, charging its WAL to them (in one
    /// full run the growth phase's 1,000-message turns were judged at 4,624 bytes against 2,281 to 2,615 at the other
    /// lengths, every one of them above 3,800: WAL written beside each turn, most likely by such a vacuum, since a
    /// turn's own writes do not depend on its history), and in full runs the list phase's batch of users with few sessions met
    /// both an autovacuum of what the phases before wrote and the page images after a checkpoint (a create judged at
    /// 3,472 bytes against 2,168 for the users with many, and at 2,168 for both alone).</summary>
    internal static async Task QuietAsync(Npgsql.NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        // Tables the user may not vacuum are skipped with a warning, not an error.
        await using (var vacuum = database.CreateCommand("VACUUM"))
        {
            vacuum.CommandTimeout = 600;
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        await CheckpointAsync(database, cancellationToken);
    }

    /// <summary>Settles the pre-fill now rather than in the middle of the measurement: merges the GIN indexes' pending
    /// lists (the search index's words of every pre-filled message, which the first insert past the list's limit would
    /// otherwise merge, several MB of WAL charged to one measured turn) and flushes everything to disk. Needs a superuser
    /// (the embedded server's); skipped without one.</summary>
    internal static async Task CheckpointAsync(Npgsql.NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        try
        {
            await using var merge = database.CreateCommand(
                "SELECT gin_clean_pending_list(c.oid::regclass) FROM pg_class c JOIN pg_am a ON a.oid = c.relam " +
                "WHERE a.amname = 'gin' AND c.relkind = 'i'");
            merge.CommandTimeout = 300;
            await merge.ExecuteNonQueryAsync(cancellationToken);
            await using var command = database.CreateCommand("CHECKPOINT");
            command.CommandTimeout = 120;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState == Npgsql.PostgresErrorCodes.InsufficientPrivilege)
        {
            // A managed database: its checkpoints may then land inside a measurement.
        }
    }

    private sealed record class Group(int Length, Guid User, int[] Offsets)
    {
        public Guid[] Sessions { get; } = new Guid[Offsets.Length];
    }
}
