using System.Globalization;
using System.Text;
using Copilot.Bench.Phases;

namespace Copilot.Bench.Reporting;

/// <summary>Renders a <see cref="BenchReport"/> as the Markdown tables the README shows.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var m = report.Machine;
        var md = new StringBuilder();
        Line(md, $"## Copilot session service benchmark{(s.Quick ? " (quick smoke run: numbers not meaningful)" : "")}");
        Line(md);
        Line(md, $"- Run: {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.Elapsed.TotalSeconds:0} s in all; load average {m.LoadAverageBefore} before, {report.LoadAverageAfter} after");
        Line(md, $"- Machine: {m.Cores} cores ({m.Cpu}), {m.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB, {m.Os}, {m.Runtime}");
        Line(md, $"- PostgreSQL {m.PostgresVersion ?? "n/a"} ({m.PostgresDurability ?? "settings n/a"}), on the same machine");
        Line(md, $"- Service: {report.Service}; offline model at zero delay; {s.Users} users; {s.Warmup.TotalSeconds:0} s warm-up + {s.Duration.TotalSeconds:0} s measured per closed-loop phase");
        if (s.SiloSettings.Count > 0)
        {
            Line(md, $"- Silo settings: {string.Join(", ", s.SiloSettings.Select(kv => $"{kv.Key}={kv.Value}"))}");
        }

        Line(md);

        Line(md, $"### Turns at {s.Users} concurrent users (closed loop)");
        Line(md);
        Line(md, "| | turns/s | p50 ms | p95 ms | p99 ms | WAL bytes/turn (of it full-page images) | CPU ms/turn: service + PostgreSQL + client | errors |");
        Line(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        LoadRow(md, "**ours**: full HTTP turn (POST, whole streamed reply)", report.Ours);
        LoadRow(md, "ours without HTTP: the same turn through an Orleans client", report.OursWithoutHttp);
        LoadRow(md, "seed: its route's 5 SQL statements only", report.Seed);
        LoadRow(md, "floor: 2 durable single-row INSERTs", report.Floor);
        Line(md);
        var others = new[] { report.Ours, report.OursWithoutHttp, report.Seed, report.Floor }.Where(f => f?.OtherProcessesCpuShare is not null).ToList();
        if (others.Count > 0)
        {
            Line(md, $"Other processes on the machine used {string.Join(", ", others.Select(f => $"{f!.OtherProcessesNote} ({f.Name})"))} of its CPU during these windows.");
            Line(md);
        }

        if (report.OursOverSeed is { } seedRatio)
        {
            Line(md, $"Ours ÷ seed: **{seedRatio:0.00}×** the turns/s, {report.Ours!.Latency.P50 / report.Seed!.Latency.P50:0.00}× the p50 latency. " +
                "The seed's figures are its database work alone: they exclude its HTTP layer (Next.js, a PostgREST round trip " +
                "per statement, the Supabase Auth call), its auth and its model; ours include HTTP, JWT validation, the model call and the streamed reply.");
        }

        if (report.OursWithoutHttpOverSeed is { } bareRatio)
        {
            Line(md);
            Line(md, $"Like for like, without HTTP on either side: ours ÷ seed = {bareRatio:0.00}× the turns/s.");
        }

        if (report.OursOverFloorThroughput is { } floorRatio)
        {
            Line(md);
            Line(md, $"Ours ÷ floor: {floorRatio:0.00}× the turns/s, **{report.OursOverFloorLatency:0.00}×** the p50 latency of the physical floor (two commits, each a WAL flush).");
        }

        Line(md);
        if (report.Growth is { } growth)
        {
            Line(md, "### Growth: a turn at each history length (one turn at a time)");
            Line(md);
            Line(md, "| history (messages) | turns | p50 ms | p99 ms | WAL bytes/turn | of it full-page images | without them | single turn min–max |");
            Line(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var f in growth.Figures)
            {
                Line(md, $"| {f.HistoryLength:N0} (to {f.HistoryMax:N0}) | {f.Turns} | {f.Latency.P50:0.0} | {f.Latency.P99:0.0} | {Bytes(f.WalBytesPerTurn)} | {Bytes(f.WalPageImageBytesPerTurn)} | **{Bytes(f.WalRecordBytesPerTurn)}** | {Bytes(f.WalBytesMin)}–{Bytes(f.WalBytesMax)} |");
            }

            Line(md);
            Line(md, $"Sessions pre-filled through {growth.PrefillMethod}; at each length {s.GrowthSessions} sessions spread over one " +
                $"{GrowthPhase.PageCycle}-message page cycle, 1 unmeasured and {s.GrowthTurnsPerSession} measured turns each, after a CHECKPOINT. " +
                "Full-page images (the whole 8 KiB page PostgreSQL logs at a page's first change after a checkpoint) follow the " +
                "checkpoint clock, not the turn, so they are shown apart. A turn that seals a page writes its open page once more, " +
                "hence the single-turn maximum.");
            Line(md);
        }

        if (report.Reads.Count > 0)
        {
            Line(md, "### Reads (one at a time)");
            Line(md);
            Line(md, "| read | p50 ms | p99 ms | answer bytes |");
            Line(md, "| --- | ---: | ---: | ---: |");
            foreach (var r in report.Reads)
            {
                Line(md, $"| {r.What} | {r.Latency.P50:0.00} | {r.Latency.P99:0.00} | {Bytes(r.Bytes)} |");
            }

            Line(md);
        }

        if (report.Memory is { } memory)
        {
            Line(md, "### Memory");
            Line(md);
            Line(md, "| active sessions | silo working set before | after | per session |");
            Line(md, "| ---: | ---: | ---: | ---: |");
            Line(md, $"| {memory.Sessions:N0} ({memory.Users:N0} users) | {Mib(memory.WorkingSetBefore)} | {Mib(memory.WorkingSetAfter)} | **{memory.BytesPerSession / 1024:0.0} KiB** |");
            Line(md);
            Line(md, $"Each session activated by one full HTTP turn ({memory.SessionsCreatedPerSecond:N0} new sessions/s); session activations counted by Orleans: " +
                $"{memory.SessionActivationsBefore:N0} before, {memory.SessionActivationsAfter:N0} after. Working set of the Copilot.Silo process alone, after two forced GCs.");
            Line(md);
        }

        Line(md, "### Targets");
        Line(md);
        Line(md, "| target | this run | met |");
        Line(md, "| --- | --- | :---: |");
        foreach (var t in report.Targets)
        {
            Line(md, $"| {t.Target} | {t.Measured} | {(t.Met switch { true => "yes", false => "**no**", null => "n/a" })} |");
        }

        if (report.Problems.Count > 0)
        {
            Line(md);
            foreach (var p in report.Problems)
            {
                Line(md, $"- {p}");
            }
        }

        return md.ToString();
    }

    private static void LoadRow(StringBuilder md, string name, LoadFigure? f)
    {
        if (f is null)
        {
            Line(md, $"| {name} | n/a | | | | | | |");
            return;
        }

        var cpu = f.CpuPerOp is { } c
            ? (c.Service > 0 ? $"{c.Service:0.00} + " : "") + $"{c.Postgres:0.00} + {c.Bench:0.00} = {c.Total:0.00}"
            : "n/a";
        var wal = Bytes(f.WalBytesPerOp) + (f.WalPageImageBytesPerOp is { } images ? $" ({Bytes(images)})" : "");
        Line(md, $"| {name} | {f.PerSecond:N0} | {f.Latency.P50:0.0} | {f.Latency.P95:0.0} | {f.Latency.P99:0.0} | {wal} | {cpu} | {f.Errors} |");
    }

    private static string Bytes(double? bytes) => bytes is { } b ? b.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string Bytes(long? bytes) => bytes is { } b ? b.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("N0", CultureInfo.InvariantCulture) + " MiB";

    // The bench runs with invariant globalization (Directory.Build.props), so interpolation formats invariantly.
    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
