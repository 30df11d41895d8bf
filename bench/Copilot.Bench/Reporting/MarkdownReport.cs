using System.Globalization;
using System.Text;
using Copilot.Bench.Phases;

namespace Copilot.Bench.Reporting;

/// <summary>Renders a <see cref="BenchReport"/> as the Markdown tables docs/performance.md shows.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var m = report.Machine;
        var md = new StringBuilder();
        if (s.Quick)
        {
            Line(md, "**Quick smoke run: its numbers are not meaningful.**");
            Line(md);
        }

        Line(md, $"- Run: {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.Elapsed.TotalSeconds:0} s in all; load average {m.LoadAverageBefore} before, {report.LoadAverageAfter} after");
        Line(md, $"- Machine: {m.Cores} cores ({m.Cpu}), {m.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB, {m.Os}, {m.Runtime}");
        Line(md, $"- PostgreSQL {m.PostgresVersion ?? "n/a"} ({m.PostgresDurability ?? "settings n/a"}), on the same machine");
        Line(md, $"- Service: {report.Service}, one per reply size; offline model at zero delay; {s.Users} users; {s.Warmup.TotalSeconds:0} s warm-up + {s.Duration.TotalSeconds:0} s measured per closed-loop phase");
        if (s.SiloSettings.Count > 0)
        {
            Line(md, $"- Silo settings: {string.Join(", ", s.SiloSettings.Select(kv => $"{kv.Key}={kv.Value}"))}");
        }

        Line(md);

        if (report.Turns.Count > 0)
        {
            TurnsTables(md, report);
        }

        if (report.Limits is { } limits)
        {
            // Without the turns phase there is no turn to compare with: the calls' own figures still print.
            var first = report.Turns.FirstOrDefault();
            var turn = first?.Ours;
            Line(md, $"### Per-user limits: what a send adds ({first?.SizeName ?? "no turns measured"}, {limits.Users} users)");
            Line(md);
            Line(md, "| | calls/s | p50 ms | p99 ms | CPU ms: service + PostgreSQL | share of a turn: p50 latency | share of a turn: CPU |");
            Line(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            var cpu = limits.CpuPerOp is { } l ? l.Service + l.Postgres : double.NaN;
            var turnCpu = turn?.CpuPerOp is { } t ? t.Service + t.Postgres : double.NaN;
            var turnP50 = turn?.Latency.P50 ?? double.NaN;
            Line(md, $"| a send's limit calls (admit + free its slot), through an Orleans client | {limits.PerSecond:N0} | {limits.Latency.P50:0.00} | {limits.Latency.P99:0.00} | {cpu:0.000} | **{Share(limits.Latency.P50 / turnP50)}** | **{Share(cpu / turnCpu)}** |");
            Line(md);
            Line(md, "The same calls a send makes to its user's limits grain, alone, at the same concurrency, against the full HTTP turn " +
                "above; through the client's gateway, so an upper bound of what they add in the service (silo to silo, or within one).");
            Line(md);
        }

        if (report.Growth is { } growth)
        {
            Line(md, $"### Growth: a turn at each history length, {Conversation.SizeName(s.LongReplyChars)} (one turn at a time)");
            Line(md);
            Line(md, "| history (messages) | turns | p50 ms | p99 ms | WAL bytes/turn (mean) | of it full-page images | turns without one: median (turns) | single turn min–max |");
            Line(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var f in growth.Figures)
            {
                Line(md, $"| {f.HistoryLength:N0} (to {f.HistoryMax:N0}) | {f.Turns} | {f.Latency.P50:0.0} | {f.Latency.P99:0.0} | {Bytes(f.WalBytesPerTurn)} | {Bytes(f.WalPageImageBytesPerTurn)} | **{Bytes(f.WalBytesWithoutImages)}** ({f.TurnsWithoutImages}) | {Bytes(f.WalBytesMin)}–{Bytes(f.WalBytesMax)} |");
            }

            Line(md);
            Line(md, $"Sessions pre-filled through {growth.PrefillMethod}; at each length {s.GrowthSessions} sessions spread over one " +
                $"{GrowthPhase.PageCycle}-message page cycle, 1 unmeasured and {s.GrowthTurnsPerSession} measured turns each, after a CHECKPOINT. " +
                "Full-page images (the whole 8 KiB page PostgreSQL logs at a page's first change after a checkpoint) follow the " +
                "checkpoint clock, not the turn, so they are shown apart, and the figure judged is the median of the turns that " +
                "logged none: a record that carries an image leaves out the data the image holds, so a turn's bytes less its images " +
                "read low (most of all where a turn inserts index entries into many pages, as a young session's turns do). The " +
                "single-turn maximum is a turn that met images or did occasional storage work (such as sealing a page).");
            Line(md);
        }

        if (report.Search is { } search)
        {
            SearchTables(md, search, s);
        }

        if (report.Reads.Count > 0)
        {
            Line(md, $"### Reads, {Conversation.SizeName(s.LongReplyChars)} in the history (one at a time)");
            Line(md);
            Line(md, "| read | p50 ms | p99 ms | answer bytes |");
            Line(md, "| --- | ---: | ---: | ---: |");
            foreach (var r in report.Reads)
            {
                Line(md, $"| {r.What} | {r.Latency.P50:0.00} | {r.Latency.P99:0.00} | {Bytes(r.Bytes)} |");
            }

            Line(md);
        }

        if (report.Branches is { } branches)
        {
            BranchesTables(md, branches, s);
        }

        if (report.ListWrites.Count > 0)
        {
            var sizes = report.ListWrites.Select(f => f.Sessions).Distinct().Order().ToList();
            Line(md, "### Session list writes: WAL bytes per change, by the user's number of sessions (one change at a time)");
            Line(md);
            Line(md, $"| change | {string.Join(" | ", sizes.Select(n => $"{n:N0} sessions: mean (median of the changes without full-page images)"))} |");
            Line(md, $"| --- |{string.Concat(sizes.Select(_ => " ---: |"))}");
            foreach (var change in report.ListWrites.GroupBy(f => f.Change))
            {
                var cells = sizes.Select(n => change.FirstOrDefault(f => f.Sessions == n) is { } f
                    ? $"{Bytes(f.WalBytesPerChange)} (**{Bytes(f.WalRecordBytesPerChange)}**)"
                    : "n/a");
                Line(md, $"| {change.Key} ({change.First().Changes} changes) | {string.Join(" | ", cells)} |");
            }

            Line(md);
            Line(md, "A create and a rename go through the session grain (its header, its list row, and for a create its expiry " +
                "reminder); an activity flush is the list storing one touched session within its flush interval, as after a turn. " +
                "Every user's list is filled before either kind is measured, so both are measured on the same tables, " +
                "and a touch is of a session the list was filled with; the WAL counter is server-wide, so the mean also holds a share of whatever " +
                "else PostgreSQL wrote meanwhile, which the median (the figure judged) leaves out. The median is of the changes " +
                "that wrote no full-page image: a record that carries one leaves out the data the image holds, so after a " +
                "checkpoint a change's bytes without its images read low.");
            Line(md);
        }

        if (report.Memory is { } memory)
        {
            Line(md, $"### Memory per active session, {memory.TurnsPerSession} turns each, {Conversation.SizeName(memory.ReplyChars)}");
            Line(md);
            Line(md, "| active sessions | silo working set before | after | per session |");
            Line(md, "| ---: | ---: | ---: | ---: |");
            Line(md, $"| {memory.Sessions:N0} ({memory.Users:N0} users) | {Mib(memory.WorkingSetBefore)} | {Mib(memory.WorkingSetAfter)} | **{memory.BytesPerSession / 1024:0.0} KiB** |");
            Line(md);
            Line(md, $"Filled at {memory.SessionsFilledPerSecond:N0} sessions/s, {memory.FillMethod}. Session activations counted by Orleans: " +
                $"{memory.SessionActivationsBefore:N0} before, {memory.SessionActivationsAfter:N0} after. Working set of the silo process alone (Copilot.BenchSilo), after two forced GCs.");
            Line(md);
        }

        if (report.Photos is { } photos)
        {
            PhotosTable(md, photos, Conversation.SizeName(s.LongReplyChars));
        }

        if (report.Streams.Count > 0)
        {
            StreamTables(md, report);
        }

        Line(md, "### Targets, this run");
        Line(md);
        Line(md, "| target | this run | met |");
        Line(md, "| --- | --- | --- |");
        foreach (var t in report.Targets)
        {
            Line(md, $"| {t.Target} | {t.Measured} | {(t.Met switch { true => "met", false => $"**missed**: {t.MissedBy}", null => "n/a" })} |");
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

    private static void BranchesTables(StringBuilder md, BranchesResult branches, BenchSettings s)
    {
        Line(md, $"### Branches: what a regenerate, an edit and a switch write, {Conversation.SizeName(s.LongReplyChars)} (one at a time)");
        Line(md);
        Line(md, "| operation | count | p50 ms | p99 ms | WAL bytes (mean) | of it full-page images | the ones without one (median) | vs a turn |");
        Line(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var turn = branches.Writes.FirstOrDefault(w => w.Operation == "turn")?.WalRecordBytes;
        foreach (var w in branches.Writes)
        {
            Line(md, $"| {w.Operation} | {w.Count} | {w.Latency.P50:0.0} | {w.Latency.P99:0.0} | {Bytes(w.WalBytes)} | {Bytes(w.WalPageImageBytes)} | **{Bytes(w.WalRecordBytes)}** | {w.WalRecordBytes / turn:0.00}× |");
        }

        Line(md);
        Line(md, "In sessions of 10 to 110 messages (spread over a page cycle), after a CHECKPOINT, each session in turn: a new question " +
            "and its reply (turn), a new reply to that question (regenerate), a new version of that question and its reply (edit), " +
            "and a switch back to the first reply's branch (switch: the session's header only), through an Orleans client. The WAL is " +
            "server-wide: the median of the operations that logged no full-page image leaves out those that met a background " +
            "write, and those whose records left out the data their images held.");
        Line(md);
        Line(md, $"### Reads of a {BranchesPhase.PathLength:N0}-message session: linear, and with a fork every {BranchesPhase.ForkEvery} messages");
        Line(md);
        Line(md, "| read | linear p50 ms | p99 ms | with forks p50 ms | p99 ms | with forks / linear |");
        Line(md, "| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in branches.Reads)
        {
            Line(md, $"| {r.What} | {r.Linear.P50:0.00} | {r.Linear.P99:0.00} | {r.Branched.P50:0.00} | {r.Branched.P99:0.00} | **{r.BranchedOverLinear:0.00}×** |");
        }

        Line(md);
        Line(md, $"Both sessions were written in blocks of {BranchesPhase.ForkEvery} messages: appended messages and a turn; in the one with forks " +
            $"each block then a regenerate (every fifth an edit), so its active path passes {BranchesPhase.PathLength / BranchesPhase.ForkEvery} " +
            "positions with versions. Each read alternates linear and forked (two rounds each, the faster round shown).");
        Line(md);
    }

    private static void TurnsTables(StringBuilder md, BenchReport report)
    {
        var s = report.Settings;
        Line(md, $"### Turns at {s.Users} concurrent users (closed loop)");
        Line(md);
        Line(md, "| reply | | turns/s | p50 ms | p95 ms | p99 ms | WAL bytes/turn (of it full-page images) | CPU ms/turn: service + PostgreSQL + client | errors |");
        Line(md, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var size in report.Turns)
        {
            LoadRow(md, size.SizeName, "**ours**: full HTTP turn (POST, whole streamed reply)", size.Ours);
            if (size.OursWithoutHttp is not null)
            {
                LoadRow(md, size.SizeName, "ours without HTTP: the same turn through an Orleans client", size.OursWithoutHttp);
            }

            LoadRow(md, size.SizeName, "seed: its route's 5 SQL statements only, storing the same texts", size.Seed);
            if (size.Floor is not null)
            {
                LoadRow(md, size.SizeName, "floor: 2 durable single-row INSERTs", size.Floor);
            }
        }

        Line(md);
        var others = report.Turns
            .Select(t => (t.SizeName, Figures: new[] { t.Ours, t.OursWithoutHttp, t.Seed, t.Floor }.Where(f => f?.OtherProcessesCpuShare is not null).ToList()))
            .Where(t => t.Figures.Count > 0)
            .Select(t => $"{t.SizeName}: {string.Join(", ", t.Figures.Select(f => $"{f!.OtherProcessesNote} ({f.Name})"))}")
            .ToList();
        if (others.Count > 0)
        {
            Line(md, $"Other processes on the machine used this share of its CPU during these windows: {string.Join("; ", others)}.");
            Line(md);
        }

        if (report.Turns.Any(t => t.OursOverSeed is not null))
        {
            Line(md, "### Ours ÷ seed, same texts, same run");
            Line(md);
            Line(md, "| reply | turns/s | p50 latency | WAL bytes/turn | CPU ms/turn: ours (service + PostgreSQL) ÷ seed's PostgreSQL |");
            Line(md, "| --- | ---: | ---: | ---: | ---: |");
            foreach (var t in report.Turns.Where(t => t.OursOverSeed is not null))
            {
                Line(md, $"| {t.SizeName} | **{t.OursOverSeed:0.00}×** | {t.Ours!.Latency.P50 / t.Seed!.Latency.P50:0.00}× | {Ratio(t.WalOverSeed)} | {Ratio(t.CpuOverSeedPostgres)} |");
            }

            Line(md);
            Line(md, "WAL bytes are compared without full-page images (which follow the checkpoint clock, not the turn) when those can be counted. " +
                "The seed's figures are its database work alone: they exclude its HTTP layer (Next.js, a PostgREST round trip " +
                "per statement, the Supabase Auth call), its auth and its model; ours include HTTP, JWT validation, the model call and the streamed reply.");
            foreach (var t in report.Turns.Where(t => t.OursWithoutHttpOverSeed is not null))
            {
                Line(md);
                Line(md, $"Like for like, without HTTP on either side, {t.SizeName}: ours ÷ seed = {t.OursWithoutHttpOverSeed:0.00}× the turns/s.");
            }

            Line(md);
        }

        foreach (var t in report.Turns.Where(t => t.Ours is not null && t.Floor is not null))
        {
            Line(md, $"Ours ÷ floor, {t.SizeName}: {t.Ours!.PerSecond / t.Floor!.PerSecond:0.00}× the turns/s, **{t.Ours.Latency.P50 / t.Floor.Latency.P50:0.00}×** the p50 latency of the physical floor (two commits, each a WAL flush).");
            Line(md);
        }
    }

    private static void StreamTables(StringBuilder md, BenchReport report)
    {
        var st = report.Settings.Stream;
        Line(md, $"### Streamed turns: a model streaming {st.ReplyChars:N0} characters, {st.ChunkChars} per chunk every {st.PaceMilliseconds} ms (closed loop)");
        Line(md);
        Line(md, "| users | | route | turns/s | CPU ms/turn: service + PostgreSQL | ÷ seed's | model server, client | first text p50 / p99 ms | of them, continued sessions' | longest pause p50 / p99 ms | KiB per open stream | errors |");
        Line(md, "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var f in report.Streams.OrderBy(f => f.Users))
        {
            var seed = report.Streams.FirstOrDefault(s => s.Side == StreamRun.Seed && s.Users == f.Users);
            var side = f.Side == StreamRun.Current ? "**ours**" : f.Side;
            var cpu = f.Cpu is { } c ? $"{c.Service:0.0} + {c.Postgres:0.0} = **{c.ServiceAndPostgres:0.0}**" : "n/a";
            var ratio = f.Cpu is { } o && seed?.Cpu is { } sc ? $"{o.ServiceAndPostgres / sc.ServiceAndPostgres:0.00}×" : "n/a";
            var others = f.Cpu is { } m ? $"{m.Model:0.0}, {m.Client:0.0}" : "n/a";
            var memory = f.MemoryPerStreamKiB is { } kib ? $"{kib:N0}" : "n/a";
            Line(md, $"| {f.Users} | {side} | {f.Surface} | {f.PerSecond:0.0} | {cpu} | {ratio} | {others} | {f.FirstText.P50:0} / {f.FirstText.P99:0} | {f.FirstTextContinued.P50:0} / {f.FirstTextContinued.P99:0} ({f.FirstTextContinued.Count} of {f.FirstText.Count}) | {f.LongestPause.P50:0} / {f.LongestPause.P99:0} | {memory} | {f.Errors} |");
        }

        Line(md);
        Line(md, $"Other processes on the machine used this share of its CPU during these windows: " +
            string.Join(", ", report.Streams.Select(f => $"{f.OtherProcessesCpuShare:0%} ({f.Side}, {f.Surface}, {f.Users})")) + ".");
        Line(md);
        Line(md, "First text is judged on every turn that ended in the window; beside it, the turns that continued a session " +
            "(of how many in all): each user's first turn creates its session, which on our side stores more before the " +
            "model is asked (its expiry reminder, written while its admission loads the user's list, and its header; its list " +
            "row is written while the model is asked).");
        var variants = st.Variants.Select(v => $"{v.Key}: {string.Join(", ", v.Value.Select(kv => $"{kv.Key.Replace("__", ":", StringComparison.Ordinal)}={kv.Value}"))}").ToList();
        if (variants.Count > 0)
        {
            Line(md);
            Line(md, $"Variants of our service, each on a silo of its own in this run: {string.Join("; ", variants)}.");
        }

        var errors = report.Streams.Where(f => f.FirstError is not null).Select(f => $"{f.Side}, {f.Surface}, {f.Users} users: {f.FirstError}").ToList();
        foreach (var e in errors)
        {
            Line(md);
            Line(md, $"- {e}");
        }

        Line(md);
        ModelClientTable(md, report);
    }

    private static void ModelClientTable(StringBuilder md, BenchReport report)
    {
        if (report.ModelClients.Count == 0)
        {
            return;
        }

        Line(md, "#### The model clients alone (no service, no database; the same model server and users, each stream read to its end)");
        Line(md);
        Line(md, "| users | client | streams/s | CPU ms per stream | ÷ the seed's whole route (service + PostgreSQL) |");
        Line(md, "| ---: | --- | ---: | ---: | ---: |");
        foreach (var c in report.ModelClients.OrderBy(c => c.Users))
        {
            var seed = report.Streams.FirstOrDefault(s => s.Side == StreamRun.Seed && s.Users == c.Users)?.Cpu;
            var ratio = seed is { } sc ? $"{c.CpuMilliseconds / sc.ServiceAndPostgres:0.00}×" : "n/a";
            Line(md, $"| {c.Users} | {c.Client} | {c.PerSecond:0.0} | {c.CpuMilliseconds:0.0} | {ratio} |");
        }

        Line(md);
    }

    private static void PhotosTable(StringBuilder md, PhotosFigure photos, string size)
    {
        var users = (photos.TextTurn ?? photos.PhotoTurn ?? photos.Upload)?.Users;
        Line(md, $"### Photos: one {photos.PhotoBytes / 1_000_000.0:0.0} MB {photos.Width:N0}×{photos.Height:N0} JPEG ({users} users, a new user and chat per operation)");
        Line(md);
        Line(md, "| reply | | per s | p50 ms | p95 ms | p99 ms | WAL bytes/op (of it full-page images) | CPU ms/op: service + PostgreSQL + client | errors |");
        Line(md, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        LoadRow(md, size, "a /v1/chat turn, text alone", photos.TextTurn);
        LoadRow(md, size, "the same turn with the photo (data URL)", photos.PhotoTurn);
        LoadRow(md, size, "an upload of the photo (POST /v1/files)", photos.Upload);
        Line(md);
        Line(md, $"Silo working set at its largest during each window: {MibOrNa(photos.PeakWorkingSetText)} with text turns, " +
            $"{MibOrNa(photos.PeakWorkingSetPhoto)} with photo turns, {MibOrNa(photos.PeakWorkingSetUpload)} with uploads ({users} at once).");
        Line(md);
        Line(md, $"Uploads: {photos.UploadMegabytesPerSecond:0.0} MB/s of photos as sent. Every photo is checked, decoded, turned " +
            "upright, stripped of its metadata, scaled to 2,048 px and re-encoded with a 256 px thumbnail, and stored once in " +
            "copilot_files; the turn also reads it back to send it to the model.");
        Line(md);
    }

    private static void SearchTables(StringBuilder md, SearchFigure search, BenchSettings s)
    {
        var size = Conversation.SizeName(s.LongReplyChars);
        Line(md, $"### Search: a turn with the index kept and without it, {size} ({s.Users} users, closed loop)");
        Line(md);
        Line(md, "| size | index | turns/s | p50 ms | p95 ms | p99 ms | WAL bytes/turn (of which page images) | CPU ms/turn: service + PostgreSQL + bench = total | errors |");
        Line(md, "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
        LoadRow(md, size, "kept (triggers on)", search.IndexingOn);
        LoadRow(md, size, "not kept (triggers off)", search.IndexingOff);
        Line(md);
        Line(md, $"With the index ÷ without: WAL {Ratio(search.WalOnOverOff)}, CPU (service + PostgreSQL) {Ratio(search.CpuOnOverOff)}. " +
            $"The index's size (table, TOAST, indexes) per message after these turns: {Bytes(search.BytesPerTurnMessage)} bytes.");
        Line(md);
        Line(md, $"### Search: one user's {search.UserMessages:N0} messages among {search.Messages:N0} (one query at a time, through HTTP)");
        Line(md);
        Line(md, "| query | what | p50 ms | p95 ms | p99 ms | max ms | bytes |");
        Line(md, "| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var q in search.Queries)
        {
            Line(md, $"| {q.Name} | `{q.What}` | {q.Latency.P50:0.0} | {q.Latency.P95:0.0} | {q.Latency.P99:0.0} | {q.Latency.Max:0.0} | {Bytes(q.Bytes)} |");
        }

        Line(md);
        Line(md, $"Index size per message while searching (30-word generated messages): {Bytes(search.BytesPerMessage)} bytes.");
        Line(md);
    }

    private static void LoadRow(StringBuilder md, string size, string name, LoadFigure? f)
    {
        if (f is null)
        {
            Line(md, $"| {size} | {name} | n/a | | | | | | |");
            return;
        }

        var cpu = f.CpuPerOp is { } c
            ? (c.Service > 0 ? $"{c.Service:0.00} + " : "") + $"{c.Postgres:0.00} + {c.Bench:0.00} = {c.Total:0.00}"
            : "n/a";
        var wal = Bytes(f.WalBytesPerOp) + (f.WalPageImageBytesPerOp is { } images ? $" ({Bytes(images)})" : "");
        var perSecond = f.PerSecond >= 10 ? $"{f.PerSecond:N0}" : $"{f.PerSecond:0.0}";
        Line(md, $"| {size} | {name} | {perSecond} | {f.Latency.P50:0.0} | {f.Latency.P95:0.0} | {f.Latency.P99:0.0} | {wal} | {cpu} | {f.Errors} |");
    }

    private static string Ratio(double? ratio) => ratio is { } r ? $"{r:0.00}×" : "n/a";

    private static string Share(double share) => double.IsNaN(share) ? "n/a" : share.ToString("0.0%", CultureInfo.InvariantCulture);

    private static string Bytes(double? bytes) => bytes is { } b ? b.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string Bytes(long? bytes) => bytes is { } b ? b.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string MibOrNa(long? bytes) => bytes is { } b ? Mib(b) : "n/a";

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("N0", CultureInfo.InvariantCulture) + " MiB";

    // The bench runs with invariant globalization (Directory.Build.props), so interpolation formats invariantly.
    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
