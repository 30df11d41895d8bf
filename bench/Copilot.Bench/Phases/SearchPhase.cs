using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Npgsql;

namespace Copilot.Bench.Phases;

/// <summary>Search: turns with the index kept against turns without it (the storage triggers disabled), then searches
/// of one user with many sessions in an index holding many users' messages, generated in SQL.</summary>
internal static class SearchPhase
{
    /// <summary>The storage triggers that index a write; the delete trigger stays, it costs a turn nothing.</summary>
    private static readonly string[] Triggers = ["copilot_search_segments", "copilot_search_sessions"];

    /// <summary>Unmeasured searches of each kind before its measured ones: more than the service's pool keeps open
    /// connections after the phases before this one.</summary>
    private const int SearchWarmUp = 60;

    /// <summary>Words of the generated messages: a roofing vocabulary, each message 30 of them.</summary>
    private static readonly string[] Vocabulary =
    [
        "roof", "flashing", "shingle", "underlayment", "drip", "edge", "gutter", "downspout", "soffit", "fascia", "ridge",
        "vent", "valley", "eave", "rake", "chimney", "skylight", "membrane", "parapet", "coping", "scupper", "cricket",
        "decking", "sheathing", "nail", "fastener", "sealant", "caulk", "ice", "water", "shield", "leak", "inspection",
        "warranty", "estimate", "crew", "schedule", "permit", "inspector", "ladder", "harness", "safety", "pitch",
        "slope", "felt", "synthetic", "asphalt", "metal", "tile", "slate", "cedar", "torch", "modified", "bitumen",
        "single", "ply", "tpo", "epdm", "pvc", "insulation", "attic", "ventilation", "moisture", "mold", "rot", "repair",
        "replace", "tear", "off", "overlay", "hail", "wind", "storm", "damage", "claim", "adjuster", "photo", "report",
        "customer", "invoice", "material", "delivery", "dumpster", "cleanup", "magnet", "weather", "rain", "snow",
        "heat", "cold", "budget", "margin", "labor", "hours", "overtime", "subcontractor", "supplier", "order", "bundle",
        "square", "measurement", "drone", "satellite", "pitch", "gauge", "seam", "panel", "screw", "washer", "boot",
        "pipe", "flange", "step", "counter", "kickout", "apron", "headwall", "sidewall", "dormer", "gable", "hip",
    ];

    public static async Task<SearchFigure> RunAsync(ServiceTarget target, BenchSettings settings, int replyChars, CancellationToken cancellationToken)
    {
        // The A/B changes the schema and the searches load a million rows: only on a database the bench started itself.
        var database = target.Silo is not null && target.Database is { } started
            ? started
            : throw new InvalidOperationException("The search phase needs a service and database the bench started itself (not --url).");
        WindowProbe? window = null;
        var on = await TurnsPhase.RunAsync(target, settings, replyChars, [], cancellationToken, probe => window = probe);
        await WriteBreakdownAsync(target.Wal, window, on, "indexing on");
        var bytesPerTurnMessage = await BytesPerMessageAsync(database, cancellationToken);
        await SetTriggersAsync(database, enabled: false, cancellationToken);
        LoadFigure off;
        try
        {
            off = await TurnsPhase.RunAsync(target, settings, replyChars, [], cancellationToken, probe => window = probe);
        }
        finally
        {
            await SetTriggersAsync(database, enabled: true, cancellationToken);
        }

        await WriteBreakdownAsync(target.Wal, window, off, "indexing off");

        var (total, sessions) = settings.Quick ? (100_000, 100) : (1_000_000, 1_000);
        var user = Guid.NewGuid();
        var userMessages = await GenerateAsync(database, user, total, sessions, cancellationToken);
        try
        {
            var bytesPerMessage = await BytesPerMessageAsync(database, cancellationToken) ?? 0;
            var queries = new List<ReadFigure>();
            foreach (var (name, q) in new[]
            {
                ("common word", "flashing"),
                ("two words", "drip edge"),
                ("phrase", "\"ice water\""),
                ("exclusion", "gutter -downspout"),
                ("or", "skylight or dormer"),
                ("fragment", "RG-1057"),
                ("word and fragment", "flashing RG-1"),
            })
            {
                queries.Add(await MeasureAsync(target, user, name, q, settings.Quick ? 20 : 200, cancellationToken));
            }

            return new SearchFigure(on, off, bytesPerTurnMessage, await CountAsync(database, cancellationToken), userMessages, bytesPerMessage, queries);
        }
        finally
        {
            // Vacuumed here, not by autovacuum during the phases after this one: their WAL and reads would carry it.
            await ExecuteAsync(database, "DELETE FROM copilot_search WHERE persona = 'bench'", cancellationToken);
            await ExecuteAsync(database, "VACUUM copilot_search", cancellationToken);
        }
    }

    /// <summary>Fills the index with <paramref name="total"/> messages: <paramref name="sessions"/> sessions of 20 for
    /// <paramref name="user"/>, the rest other users' (50 sessions of 20 each), every 50th holding a job number. The
    /// indexes are dropped and built again afterwards and the table vacuumed, as after a bulk load. Returns the user's
    /// message count.</summary>
    private static async Task<long> GenerateAsync(NpgsqlDataSource database, Guid user, int total, int sessions, CancellationToken cancellationToken)
    {
        var indexes = new List<string>();
        await using (var command = database.CreateCommand(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'copilot_search' AND indexname LIKE 'ix_%'"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                indexes.Add(reader.GetString(1));
                await ExecuteAsync(database, $"DROP INDEX IF EXISTS {reader.GetString(0)}", cancellationToken);
            }
        }

        await using (var command = database.CreateCommand(
            """
            WITH params AS (SELECT @words::text[] AS w),
            rows AS
            (
                SELECT g,
                       CASE WHEN g < @user_messages THEN @user::uuid
                            ELSE md5('bench-user-' || ((g - @user_messages) / 1000))::uuid END AS user_id,
                       CASE WHEN g < @user_messages THEN md5('bench-session-' || (g / 20))::uuid
                            ELSE md5('bench-other-session-' || (g / 20))::uuid END AS session_id
                FROM generate_series(0, @total::bigint - 1) g
            )
            INSERT INTO copilot_search (session_id, message_id, user_id, persona, role, created_at, body, tsv, codes)
            SELECT session_id, message_id, user_id, persona, role, created_at, body, terms.tsv, terms.codes
            FROM (
                SELECT r.session_id,
                       CASE WHEN r.g % 20 = 0 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE md5('bench-message-' || r.g)::uuid END,
                       r.user_id, 'bench', CASE WHEN r.g % 20 = 0 THEN 'title' WHEN r.g % 2 = 0 THEN 'user' ELSE 'assistant' END,
                       now() - make_interval(mins => (r.g % 100000)::int),
                       (SELECT string_agg(p.w[(1 + ((r.g * 7919 + i * 104729 + i * i * 31) % array_length(p.w, 1)))::int], ' ')
                        FROM params p, generate_series(1, CASE WHEN r.g % 20 = 0 THEN 5 ELSE 30 END) i)
                       || CASE WHEN r.g % 50 = 7 THEN ' job RG-' || (r.g % 10000) ELSE '' END
                FROM rows r
            ) AS generated (session_id, message_id, user_id, persona, role, created_at, body)
            CROSS JOIN LATERAL copilot_search_terms(body) AS terms
            """))
        {
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue("words", Vocabulary);
            command.Parameters.AddWithValue("user", user);
            command.Parameters.AddWithValue("user_messages", sessions * 20);
            command.Parameters.AddWithValue("total", total);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var index in indexes)
        {
            await ExecuteAsync(database, index, cancellationToken);
        }

        // What follows any bulk load: without it autovacuum starts on the million new rows while the first queries are
        // measured, and the first kind's tail is the vacuum's, not the search's.
        await ExecuteAsync(database, "VACUUM (ANALYZE) copilot_search", cancellationToken);

        // And a checkpoint, so that one the load's WAL would start does not write its pages out among the measured
        // queries (it did not explain the slow first searches: see the warm-up below).
        await ExecuteAsync(database, "CHECKPOINT", cancellationToken);
        return sessions * 20;
    }

    private static async Task<ReadFigure> MeasureAsync(
        ServiceTarget target, Guid user, string name, string q, int repeats, CancellationToken cancellationToken)
    {
        var path = new Uri($"/v1/search?q={Uri.EscapeDataString(q)}&limit=20", UriKind.Relative);
        long bytes = 0;
        async Task SearchAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.TokenFor(user));
            using var response = await target.Http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            bytes = response.StatusCode == HttpStatusCode.OK
                ? body.LongLength
                : throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}.");
        }

        // Unmeasured first, as the turn phases warm up: measured cold, each kind's first 23 to 26 searches took 2 to 4
        // times the rest (with the JIT's tiering off too). Npgsql hands idle connections out first in, first out, so a
        // loop of searches one at a time visits every open connection in turn: the count fits each PostgreSQL backend's
        // first search of a kind being the slow one (not traced further).
        for (var i = 0; i < SearchWarmUp; i++)
        {
            await SearchAsync();
        }

        var latency = await ClosedLoop.SequentialAsync(repeats, _ => SearchAsync(), cancellationToken);
        return new ReadFigure(name, $"GET /v1/search?q={q}&limit=20", latency, bytes);
    }

    /// <summary>Writes to the console where a turn's WAL went: bytes per turn by relation and resource manager.</summary>
    private static async Task WriteBreakdownAsync(WalCounter? wal, WindowProbe? window, LoadFigure figure, string name)
    {
        if (wal is null || window is not { WalStart: { } start, WalEnd: { } end } || figure.WalBytesPerOp is not > 0)
        {
            return;
        }

        var turns = (end - start) / figure.WalBytesPerOp.Value;
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"   WAL per turn, {name} ({turns:0} turns): relation, resource manager, records, bytes without full-page images, full-page images"));
        foreach (var share in await wal.BreakdownAsync(start, end))
        {
            await Console.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"     {share.Relation,-45} {share.ResourceManager,-12} {share.Records / turns,7:0.00} {share.RecordBytes / turns,9:0} {share.PageImageBytes / turns,9:0}"));
        }
    }

    private static Task SetTriggersAsync(NpgsqlDataSource database, bool enabled, CancellationToken cancellationToken) =>
        ExecuteAsync(database, string.Join(";", Triggers.Select(t => $"ALTER TABLE orleansstorage {(enabled ? "ENABLE" : "DISABLE")} TRIGGER {t}")), cancellationToken);

    private static async Task<double?> BytesPerMessageAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "SELECT pg_total_relation_size('copilot_search')::float8 / NULLIF(count(*), 0) FROM copilot_search WHERE role <> 'title'");
        return await command.ExecuteScalarAsync(cancellationToken) is double value ? value : null;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM copilot_search WHERE role <> 'title'");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource database, string sql, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
