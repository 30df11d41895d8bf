using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Bench.Phases;
using Copilot.Bench.Reporting;
using Npgsql;

namespace Copilot.Bench;

/// <summary>One run: start (or reach) the service, run every phase it can, report.</summary>
internal static class Benchmark
{
    /// <summary>The target latency of the issue: p99 of a turn at 16 users with the zero-delay model.</summary>
    public const double TargetP99Milliseconds = 25;

    /// <summary>The target ratio of our turns per second to the seed's.</summary>
    public const double TargetSeedRatio = 2;

    /// <summary>The target ratio of our WAL bytes per turn to the seed's, at every reply size.</summary>
    public const double TargetWalOverSeed = 1.5;

    /// <summary>The target ratio of our CPU per turn (service and PostgreSQL) to the seed's PostgreSQL CPU per turn with
    /// the short reply.</summary>
    public const double TargetShortCpuOverSeed = 0.5;

    /// <summary>The same with long replies.</summary>
    public const double TargetLongCpuOverSeed = 1;

    /// <summary>The target ratio of our CPU per streamed turn (service and PostgreSQL) to the seed's route on Node.</summary>
    public const double TargetStreamCpuOverSeed = 0.5;

    /// <summary>The target spread of bytes per turn across history lengths.</summary>
    public const double TargetWalSpread = 0.20;

    /// <summary>The target share of a turn's latency and CPU that the per-user limits may add.</summary>
    public const double TargetLimitsShare = 0.05;

    /// <summary>The target ratio of a regenerate's or an edit's WAL bytes to a plain turn's ("about what a turn writes": it stores a question and a reply like a turn, plus the fork).</summary>
    public const double TargetBranchWriteOverTurn = 1.5;

    /// <summary>The target ratio of a read of a session with forks to the same read of a linear one ("no slower").</summary>
    public const double TargetBranchedReadOverLinear = 1.10;

    /// <summary>What a change to a list of many sessions may write beyond the same change to a list of few: nothing but
    /// what the median of a server-wide WAL counter still lets through.</summary>
    public const double TargetListWritesNoise = 0.10;

    /// <summary>The target ratio of WAL bytes and of CPU per turn with the search index kept to without it.</summary>
    public const double TargetSearchOverhead = 1.3;

    /// <summary>The target p99 of a search.</summary>
    public const double TargetSearchP99Milliseconds = 50;

    private const string WarmupPhase = "warm-up";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Runs everything; returns the exit code (1 when a phase failed).</summary>
    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        var problems = new List<string>();

        // A phase runs when it was asked for; its name is the first word of its description.
        async Task<T?> PhaseAsync<T>(string name, Func<Task<T>> run)
            where T : class
        {
            var phase = name.Split(':')[0];
            if (phase != WarmupPhase && !settings.Phases.Contains(phase))
            {
                return null;
            }

            await Console.Error.WriteLineAsync($"== {name} (load average {MachineInfo.LoadAverage()})");
            var phaseClock = Stopwatch.StartNew();
            try
            {
                var result = await run();
                await Console.Error.WriteLineAsync($"   done in {phaseClock.Elapsed.TotalSeconds:0.0} s");
                return result;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                problems.Add($"{name}: failed: {ex.GetType().Name}: {ex.Message}");
                await Console.Error.WriteLineAsync($"   FAILED: {ex}");
                return null;
            }
        }

        var turns = new List<TurnsAtSize>();
        LoadFigure? limits = null;
        SearchFigure? search = null;
        GrowthResult? growth = null;
        IReadOnlyList<ReadFigure>? reads = null;
        BranchesResult? branches = null;
        IReadOnlyList<ListWriteFigure>? listWrites = null;
        MemoryFigure? memory = null;
        PhotosFigure? photos = null;
        var service = "";
        var window = $"{settings.Users} users, {settings.Warmup.TotalSeconds:0} s warm-up + {settings.Duration.TotalSeconds:0} s";
        for (var i = 0; i < settings.ReplySizes.Count && settings.Phases.Any(p => p != "stream"); i++)
        {
            // One service per reply size: the size is a start-up setting, and each size gets a fresh database.
            var replyChars = settings.ReplySizes[i];
            var size = Conversation.SizeName(replyChars);
            var last = i == settings.ReplySizes.Count - 1;
            if (!last && !settings.Phases.Any(p => p is "turns" or "grain" or "limits" or "seed" or "floor"))
            {
                // Only the closed-loop phases (and limits, at the first) run before the last size.
                continue;
            }

            await Console.Error.WriteLineAsync($"=== {size}");
            await using var target = settings.Url is null
                ? await LocalService.StartAsync(settings, replyChars, cancellationToken)
                : ServiceTarget.Connect(settings);
            service = target.Description;
            if (target.Database is { } database)
            {
                target.Wal = await WalCounter.CreateAsync(database);
                target.OnDispose(async () => await target.Wal.RemoveExtensionAsync());
                machine = machine with
                {
                    PostgresVersion = await ScalarAsync(database, "SHOW server_version"),
                    PostgresDurability = await ScalarAsync(
                        database,
                        "SELECT format('fsync=%s, synchronous_commit=%s, wal_sync_method=%s, full_page_writes=%s', " +
                        "current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_sync_method'), " +
                        "current_setting('full_page_writes'))"),
                };
            }

            if (settings.ServiceWarmup > TimeSpan.Zero)
            {
                await PhaseAsync(
                    $"{WarmupPhase}: {settings.Users} users, HTTP turns for {settings.ServiceWarmup.TotalSeconds:0} s, not measured",
                    () => TurnsPhase.WarmUpAsync(target, settings, cancellationToken));
            }

            var ours = await PhaseAsync($"turns: ours, {size} ({window})", () => TurnsPhase.RunAsync(target, settings, replyChars, problems, cancellationToken));
            var grain = target.Grains is null
                ? null
                : await PhaseAsync($"grain: ours without HTTP, {size} ({window})", () => GrainTurnsPhase.RunAsync(target, settings, cancellationToken));
            if (i == 0 && target.Grains is not null)
            {
                limits = await PhaseAsync($"limits: a send's calls to its limits grain ({window})", () => LimitsPhase.RunAsync(target, settings, cancellationToken));
            }

            LoadFigure? seed = null;
            LoadFigure? floor = null;
            if (target.Database is { } admin)
            {
                try
                {
                    seed = await PhaseAsync($"seed: its SQL, {size} ({window})", () => SeedPhase.RunAsync(admin, target.Wal, target.Cpu, target.ConnectionString!, settings, replyChars, cancellationToken));
                    if (i == 0)
                    {
                        floor = await PhaseAsync($"floor: two INSERTs per turn, {size} ({window})", () => FloorPhase.RunAsync(target.Wal, target.Cpu, target.ConnectionString!, settings, replyChars, cancellationToken));
                    }
                }
                finally
                {
                    await BaselineSchema.DropAsync(admin);
                }
            }
            else if (i == 0)
            {
                problems.Add("seed, floor and WAL figures: skipped, no --connection-string");
            }

            if ((ours ?? grain ?? seed ?? floor) is not null)
            {
                turns.Add(new TurnsAtSize(replyChars, size, ours, grain, seed, floor));
            }
            if (!last)
            {
                continue;
            }

            if (target.Silo is not null && target.Database is not null)
            {
                search = await PhaseAsync(
                    $"search: turns with the index and without, {size} ({window}); searches of one user among many",
                    () => SearchPhase.RunAsync(target, settings, replyChars, cancellationToken));
            }
            else if (settings.Phases.Contains("search"))
            {
                problems.Add("search: skipped, the bench did not start the silo and its database (--url)");
            }

            growth = await PhaseAsync(
                $"growth: history of {string.Join(", ", settings.GrowthLengths)} messages, {size}",
                () => GrowthPhase.RunAsync(target, settings, cancellationToken));
            if (growth is not null)
            {
                reads = await PhaseAsync($"reads: {size}", () => ReadsPhase.RunAsync(target, settings, growth, cancellationToken));
            }

            if (target.Grains is not null)
            {
                branches = await PhaseAsync(
                    $"branches: regenerate, edit and switch beside a turn; reads of a {BranchesPhase.PathLength:N0}-message branched session, {size}",
                    () => BranchesPhase.RunAsync(target, settings, cancellationToken));
            }
            else if (settings.Phases.Contains("branches"))
            {
                problems.Add("branches: skipped, needs an Orleans client of the cluster (local mode)");
            }

            if (target.Grains is not null && target.Wal is not null)
            {
                listWrites = await PhaseAsync(
                    $"lists: WAL bytes per create, rename and activity flush, users with {ListWritesPhase.FewSessions} and {settings.ListSessions:N0} sessions",
                    () => ListWritesPhase.RunAsync(target, settings, cancellationToken));
            }
            else if (settings.Phases.Contains("lists"))
            {
                problems.Add("lists: skipped, needs an Orleans client and the database (the bench starting the silo)");
            }

            if (target.Silo is not null)
            {
                memory = await PhaseAsync(
                    $"memory: {settings.MemorySessions:N0} active sessions of {settings.MemoryTurnsPerSession} turns, {size}",
                    () => MemoryPhase.RunAsync(target, settings, cancellationToken));
            }
            else
            {
                problems.Add("memory: skipped, the bench did not start the silo (--url)");
            }

            photos = await PhaseAsync(
                $"photos: a turn with one {PhotosPhase.Width:N0}×{PhotosPhase.Height:N0} photo beside a text turn, and uploads",
                () => PhotosPhase.RunAsync(target, settings, cancellationToken));
        }

        var streams = settings.Url is null
            ? await PhaseAsync(
                $"stream: a model streaming {settings.Stream.ReplyChars:N0} characters, {settings.Stream.ChunkChars} per chunk every " +
                    $"{settings.Stream.PaceMilliseconds} ms, at {string.Join(" and ", settings.Stream.Users)} users",
                () => StreamRun.RunAsync(settings, cancellationToken))
            : null;
        if (settings.Url is not null && settings.Phases.Contains("stream"))
        {
            problems.Add("stream: skipped, the bench did not start the silo (--url)");
        }

        var report = new BenchReport
        {
            StartedAt = startedAt,
            Elapsed = clock.Elapsed,
            Machine = machine,
            LoadAverageAfter = MachineInfo.LoadAverage(),
            Settings = settings,
            Service = service,
            Turns = turns,
            Limits = limits,
            Search = search,
            Growth = growth,
            Reads = reads ?? [],
            Branches = branches,
            ListWrites = listWrites ?? [],
            Memory = memory,
            Photos = photos,
            Streams = streams?.Routes ?? [],
            ModelClients = streams?.ModelClients ?? [],
            Problems = problems,
        };
        report = report with { Targets = CheckTargets(report) };

        var markdown = MarkdownReport.Render(report);
        Console.WriteLine(markdown);
        var path = Path.GetFullPath(settings.OutputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, JsonOptions), cancellationToken);
        await Console.Error.WriteLineAsync($"Wrote {path}");
        if (settings.DocsPath is { } docs && (settings.DocsGiven || settings.Phases.Contains("turns")))
        {
            await DocsSection.WriteAsync(docs, markdown, cancellationToken);
        }

        return problems.Any(p => p.Contains("failed", StringComparison.Ordinal)) ? 1 : 0;
    }

    private static List<TargetCheck> CheckTargets(BenchReport report)
    {
        var users = report.Settings.Users;
        var checks = new List<TargetCheck>();
        foreach (var size in report.Turns)
        {
            var images = size.Ours?.WalPageImageBytesPerOp is not null && size.Seed?.WalPageImageBytesPerOp is not null;
            checks.Add(TargetCheck.AtMost(
                $"WAL bytes per turn{(images ? " without full-page images" : "")} ≤ {TargetWalOverSeed}× the seed's, {size.SizeName}",
                size.WalOverSeed,
                TargetWalOverSeed,
                Invariant($"{size.Ours?.WalRecordBytesPerOp:N0} vs {size.Seed?.WalRecordBytesPerOp:N0} bytes: {size.WalOverSeed:0.00}×")));

            var cpuLimit = size.ReplyChars == 0 ? TargetShortCpuOverSeed : TargetLongCpuOverSeed;
            checks.Add(TargetCheck.AtMost(
                $"CPU ms per turn, service + PostgreSQL, ≤ {cpuLimit}× the seed's PostgreSQL CPU per turn, {size.SizeName}",
                size.CpuOverSeedPostgres,
                cpuLimit,
                size.Ours?.CpuPerOp is { } o && size.Seed?.CpuPerOp is { } s
                    ? Invariant($"{o.Service:0.00} + {o.Postgres:0.00} = {o.Service + o.Postgres:0.00} vs {s.Postgres:0.00} ms: {size.CpuOverSeedPostgres:0.00}×")
                    : "not measured"));

            if (size.ReplyChars == 0)
            {
                checks.Add(TargetCheck.AtLeast(
                    $"≥ {TargetSeedRatio:0}× the seed's turns/s at {users} users, {size.SizeName}",
                    size.OursOverSeed,
                    TargetSeedRatio,
                    Invariant($"{size.Ours?.PerSecond:N0} vs {size.Seed?.PerSecond:N0} turns/s: {size.OursOverSeed:0.00}×")));
            }

            checks.Add(TargetCheck.AtMost(
                $"p99 of a turn at {users} users ≤ {TargetP99Milliseconds:0} ms (zero-delay model), {size.SizeName}",
                size.Ours?.Latency.P99,
                TargetP99Milliseconds,
                Invariant($"{size.Ours?.Latency.P99:0.0} ms")));
        }

        foreach (var ours in report.Streams.Where(f => f.Side == StreamRun.Current))
        {
            var seed = report.Streams.FirstOrDefault(f => f.Side == StreamRun.Seed && f.Users == ours.Users);
            if (seed is null)
            {
                continue;
            }

            var where = $"streamed turns at {ours.Users} users, {ours.Surface}";
            checks.Add(TargetCheck.AtMost(
                $"CPU ms per turn, service + PostgreSQL, ≤ {TargetStreamCpuOverSeed}× the seed's route on Node, {where}",
                ours.Cpu?.ServiceAndPostgres / seed.Cpu?.ServiceAndPostgres,
                TargetStreamCpuOverSeed,
                Invariant($"{ours.Cpu?.ServiceAndPostgres:0.0} vs {seed.Cpu?.ServiceAndPostgres:0.0} ms: {ours.Cpu?.ServiceAndPostgres / seed.Cpu?.ServiceAndPostgres:0.00}×")));
            checks.Add(TargetCheck.AtMost(
                $"time to first text p99 ≤ the seed's, {where}",
                ours.FirstText.P99 / seed.FirstText.P99,
                1,
                Invariant($"{ours.FirstText.P99:0} vs {seed.FirstText.P99:0} ms")));
            checks.Add(TargetCheck.AtMost(
                $"longest pause inside a reply p99 ≤ the seed's, {where}",
                ours.LongestPause.P99 / seed.LongestPause.P99,
                1,
                Invariant($"{ours.LongestPause.P99:0} vs {seed.LongestPause.P99:0} ms")));
            checks.Add(TargetCheck.AtMost(
                $"zero errors, every reply whole and stored as streamed, {where}",
                ours.Errors,
                0,
                Invariant($"{ours.Errors} errors, {ours.StoredChecked} stored replies compared")));
        }

        var wal = report.Growth?.Figures.Where(f => f.WalBytesPerTurn is not null).ToList() ?? [];
        if (wal.Count >= 2)
        {
            // Judged on the turns that logged no full-page image when there are such turns at every length: images follow
            // the checkpoint clock, not the turn, and a record with an image leaves out the data the image holds.
            var images = wal.All(f => f.WalBytesWithoutImages is not null);
            var least = wal.Min(f => images ? f.WalBytesWithoutImages!.Value : f.WalBytesPerTurn!.Value);
            var most = wal.Max(f => images ? f.WalBytesWithoutImages!.Value : f.WalBytesPerTurn!.Value);
            var spread = (most - least) / least;
            var totalSpread = (wal.Max(f => f.WalBytesPerTurn!.Value) / wal.Min(f => f.WalBytesPerTurn!.Value)) - 1;
            checks.Add(new TargetCheck(
                $"WAL bytes per turn flat (within ±{TargetWalSpread:0%}) from {wal[0].HistoryLength:N0} to {wal[^1].HistoryLength:N0} messages, " +
                    Conversation.SizeName(report.Settings.LongReplyChars),
                Invariant($"{least:N0} to {most:N0} bytes per turn{(images ? ", the median of the turns without full-page images" : "")}: max {spread:+0%} over min") +
                    (images ? Invariant($" ({totalSpread:+0%} on average with them)") : ""),
                spread <= TargetWalSpread,
                spread <= TargetWalSpread ? null : Invariant($"{(spread - TargetWalSpread) * 100:0} points over the {TargetWalSpread:0%} allowed")));
        }
        else
        {
            checks.Add(new TargetCheck($"WAL bytes per turn flat (within ±{TargetWalSpread:0%})", "not measured", null, null));
        }

        if (report.Branches is { } branches)
        {
            var plain = branches.Writes.FirstOrDefault(w => w.Operation == "turn");
            foreach (var write in branches.Writes.Where(w => w.Operation is "regenerate" or "edit"))
            {
                checks.Add(TargetCheck.AtMost(
                    $"WAL bytes of a{(write.Operation == "edit" ? "n" : "")} {write.Operation} ≤ {TargetBranchWriteOverTurn}× a turn's (without full-page images)",
                    write.WalRecordBytes / plain?.WalRecordBytes,
                    TargetBranchWriteOverTurn,
                    Invariant($"{write.WalRecordBytes:N0} vs {plain?.WalRecordBytes:N0} bytes: {write.WalRecordBytes / plain?.WalRecordBytes:0.00}×")));
            }

            // The newest page is shown too, but it is under a millisecond either way and carries its positions'
            // versions, which a linear session's has none of: the promise is about reading the path.
            foreach (var read in branches.Reads.Where(r => r.Name == "whole active path"))
            {
                checks.Add(TargetCheck.AtMost(
                    $"{read.Name} of a {BranchesPhase.PathLength:N0}-message session with forks ≤ {TargetBranchedReadOverLinear}× the linear one's p50",
                    read.BranchedOverLinear,
                    TargetBranchedReadOverLinear,
                    Invariant($"{read.Branched.P50:0.00} vs {read.Linear.P50:0.00} ms: {read.BranchedOverLinear:0.00}×")));
            }
        }

        foreach (var change in report.ListWrites.GroupBy(f => f.Change))
        {
            var few = change.MinBy(f => f.Sessions)!;
            var many = change.MaxBy(f => f.Sessions)!;
            var images = few.WalRecordBytesPerChange is not null && many.WalRecordBytesPerChange is not null;
            var fewBytes = images ? few.WalRecordBytesPerChange : few.WalBytesPerChange;
            var manyBytes = images ? many.WalRecordBytesPerChange : many.WalBytesPerChange;
            checks.Add(TargetCheck.AtMost(
                $"WAL bytes per {change.Key}{(images ? ", median of changes without full-page images," : "")} for a user with {many.Sessions:N0} sessions " +
                    $"≤ for a user with {few.Sessions:N0} (+{TargetListWritesNoise:0%})",
                manyBytes / fewBytes,
                1 + TargetListWritesNoise,
                Invariant($"{manyBytes:N0} vs {fewBytes:N0} bytes: {manyBytes / fewBytes:0.00}×")));
        }

        if (report.Limits is { } limits && report.Turns.FirstOrDefault()?.Ours is { } turn)
        {
            checks.Add(TargetCheck.AtMost(
                $"latency a send's limit calls add ≤ {TargetLimitsShare:0%} of a turn's p50, {report.Turns[0].SizeName}",
                limits.Latency.P50 / turn.Latency.P50,
                TargetLimitsShare,
                Invariant($"{limits.Latency.P50:0.00} vs {turn.Latency.P50:0.0} ms: {limits.Latency.P50 / turn.Latency.P50:0.0%}")));
            checks.Add(TargetCheck.AtMost(
                $"CPU a send's limit calls add ≤ {TargetLimitsShare:0%} of a turn's (service + PostgreSQL), {report.Turns[0].SizeName}",
                limits.CpuPerOp is { } l && turn.CpuPerOp is { } t ? (l.Service + l.Postgres) / (t.Service + t.Postgres) : null,
                TargetLimitsShare,
                limits.CpuPerOp is { } lc && turn.CpuPerOp is { } tc
                    ? Invariant($"{lc.Service + lc.Postgres:0.000} vs {tc.Service + tc.Postgres:0.00} ms: {(lc.Service + lc.Postgres) / (tc.Service + tc.Postgres):0.0%}")
                    : "not measured"));
        }

        if (report.Search is { } search)
        {
            checks.Add(TargetCheck.AtMost(
                $"WAL bytes per turn with the search index ≤ {TargetSearchOverhead:0.0#}× without",
                search.WalOnOverOff,
                TargetSearchOverhead,
                Invariant($"{search.IndexingOn?.WalBytesPerOp:N0} vs {search.IndexingOff?.WalBytesPerOp:N0} bytes: {search.WalOnOverOff:0.00}×")));
            checks.Add(TargetCheck.AtMost(
                $"CPU per turn (service + PostgreSQL) with the search index ≤ {TargetSearchOverhead:0.0#}× without",
                search.CpuOnOverOff,
                TargetSearchOverhead,
                Invariant($"{search.CpuOnOverOff:0.00}×")));
            checks.Add(TargetCheck.AtMost(
                $"search p99 ≤ {TargetSearchP99Milliseconds:0} ms, every query, {search.UserMessages:N0} of the user's messages among {search.Messages:N0}",
                search.WorstP99,
                TargetSearchP99Milliseconds,
                Invariant($"{search.WorstP99:0.0} ms")));
        }

        return checks;
    }

    private static async Task<string?> ScalarAsync(NpgsqlDataSource database, string sql)
    {
        await using var command = database.CreateCommand(sql);
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
