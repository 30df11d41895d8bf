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

    /// <summary>The target spread of bytes per turn across history lengths.</summary>
    public const double TargetWalSpread = 0.20;

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

        await using var target = settings.Url is null
            ? await LocalService.StartAsync(settings, cancellationToken)
            : ServiceTarget.Connect(settings);
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

        if (settings.ServiceWarmup > TimeSpan.Zero)
        {
            await PhaseAsync(
                $"{WarmupPhase}: {settings.Users} users, HTTP turns for {settings.ServiceWarmup.TotalSeconds:0} s, not measured",
                () => TurnsPhase.WarmUpAsync(target, settings, cancellationToken));
        }

        var window = $"{settings.Users} users, {settings.Warmup.TotalSeconds:0} s warm-up + {settings.Duration.TotalSeconds:0} s";
        var ours = await PhaseAsync($"turns: ours ({window})", () => TurnsPhase.RunAsync(target, settings, cancellationToken));
        var grain = target.Grains is null
            ? null
            : await PhaseAsync($"grain: ours without HTTP ({window})", () => GrainTurnsPhase.RunAsync(target, settings, cancellationToken));
        LoadFigure? seed = null;
        LoadFigure? floor = null;
        GrowthResult? growth = null;
        IReadOnlyList<ReadFigure>? reads = null;
        MemoryFigure? memory = null;
        if (target.Database is { } admin)
        {
            try
            {
                seed = await PhaseAsync($"seed: its SQL ({window})", () => SeedPhase.RunAsync(admin, target.Wal, target.Cpu, target.ConnectionString!, settings, cancellationToken));
                floor = await PhaseAsync($"floor: two INSERTs per turn ({window})", () => FloorPhase.RunAsync(admin, target.Wal, target.Cpu, target.ConnectionString!, settings, cancellationToken));
            }
            finally
            {
                await BaselineSchema.DropAsync(admin);
            }
        }
        else
        {
            problems.Add("seed, floor and WAL figures: skipped, no --connection-string");
        }

        growth = await PhaseAsync(
            $"growth: history of {string.Join(", ", settings.GrowthLengths)} messages",
            () => GrowthPhase.RunAsync(target, settings, cancellationToken));
        if (growth is not null)
        {
            reads = await PhaseAsync("reads", () => ReadsPhase.RunAsync(target, settings, growth, cancellationToken));
        }

        if (target.Silo is not null)
        {
            memory = await PhaseAsync(
                $"memory: {settings.MemorySessions:N0} active sessions", () => MemoryPhase.RunAsync(target, settings, cancellationToken));
        }
        else
        {
            problems.Add("memory: skipped, the bench did not start the silo (--url)");
        }

        var report = new BenchReport
        {
            StartedAt = startedAt,
            Elapsed = clock.Elapsed,
            Machine = machine,
            LoadAverageAfter = MachineInfo.LoadAverage(),
            Settings = settings,
            Service = target.Description,
            Ours = ours,
            OursWithoutHttp = grain,
            Seed = seed,
            Floor = floor,
            Growth = growth,
            Reads = reads ?? [],
            Memory = memory,
            Problems = problems,
        };
        report = report with { Targets = CheckTargets(report) };

        Console.WriteLine(MarkdownReport.Render(report));
        var path = Path.GetFullPath(settings.OutputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, JsonOptions), cancellationToken);
        await Console.Error.WriteLineAsync($"Wrote {path}");
        return problems.Any(p => p.Contains("failed", StringComparison.Ordinal)) ? 1 : 0;
    }

    private static List<TargetCheck> CheckTargets(BenchReport report)
    {
        var checks = new List<TargetCheck>();
        var ratio = report.OursOverSeed;
        checks.Add(new TargetCheck(
            $">= {TargetSeedRatio:0}x the seed's turns/s at {report.Settings.Users} users, same run",
            ratio is { } r ? Invariant($"{r:0.00}x ({report.Ours!.PerSecond:N0} vs {report.Seed!.PerSecond:N0} turns/s)") : "not measured",
            ratio is null ? null : ratio >= TargetSeedRatio));

        var wal = report.Growth?.Figures.Where(f => f.WalBytesPerTurn is not null).ToList() ?? [];
        if (wal.Count >= 2)
        {
            // Judged without full-page images when they can be told apart: those follow the checkpoint clock, not the turn.
            var images = wal.All(f => f.WalPageImageBytesPerTurn is not null);
            var least = wal.Min(f => f.WalRecordBytesPerTurn!.Value);
            var most = wal.Max(f => f.WalRecordBytesPerTurn!.Value);
            var spread = (most - least) / least;
            var totalSpread = (wal.Max(f => f.WalBytesPerTurn!.Value) / wal.Min(f => f.WalBytesPerTurn!.Value)) - 1;
            checks.Add(new TargetCheck(
                $"WAL bytes per turn flat (within {TargetWalSpread:P0}) from {wal[0].HistoryLength:N0} to {wal[^1].HistoryLength:N0} messages",
                Invariant($"{least:N0} to {most:N0} bytes per turn{(images ? " without full-page images" : "")}: max {spread:+0%} over min") +
                    (images ? Invariant($" ({totalSpread:+0%} with them)") : ""),
                spread <= TargetWalSpread));
        }
        else
        {
            checks.Add(new TargetCheck("WAL bytes per turn flat (within 20%)", "not measured", null));
        }

        checks.Add(new TargetCheck(
            $"p99 of a turn at {report.Settings.Users} users <= {TargetP99Milliseconds:0} ms (zero-delay model)",
            report.Ours is { } ours ? Invariant($"{ours.Latency.P99:0.0} ms") : "not measured",
            report.Ours is null ? null : report.Ours.Latency.P99 <= TargetP99Milliseconds));
        return checks;
    }

    private static async Task<string?> ScalarAsync(NpgsqlDataSource database, string sql)
    {
        await using var command = database.CreateCommand(sql);
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
