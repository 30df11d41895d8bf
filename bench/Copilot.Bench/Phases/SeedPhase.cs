using Copilot.Bench.Measuring;
using Npgsql;
using NpgsqlTypes;

namespace Copilot.Bench.Phases;

/// <summary>The seed route's database work for one turn in an existing session, as its Supabase client made it:
/// five statements, each its own round trip and its own transaction, one after another.</summary>
/// <remarks>Only the SQL: not the Next.js route, not PostgREST's HTTP hop per statement, not <c>auth.getUser()</c>'s
/// call to Supabase Auth, not the model. So the seed's figures are an upper bound on what its route could do.</remarks>
internal static class SeedPhase
{
    private const string S = BaselineSchema.Name;

    public static async Task<LoadFigure> RunAsync(
        NpgsqlDataSource admin,
        WalCounter? wal,
        CpuMeter? cpu,
        string connectionString,
        BenchSettings settings,
        int replyChars,
        CancellationToken cancellationToken)
    {
        await BaselineSchema.CreateAsync(admin, cancellationToken);
        await using var database = BaselineSchema.CreateDataSource(connectionString, settings.Users);
        var users = Enumerable.Range(0, settings.Users).Select(_ => Guid.NewGuid()).ToArray();
        var sessions = new Guid[users.Length];
        var asked = new int[users.Length];
        for (var i = 0; i < users.Length; i++)
        {
            // The route's first POST creates the session; the measured turns are the route's common path after that.
            await using var create = database.CreateCommand(
                $"INSERT INTO {S}.copilot_sessions (user_id, metadata) VALUES ($1, '{{\"role\":\"field\"}}') RETURNING id");
            create.Parameters.Add(new NpgsqlParameter { Value = users[i] });
            sessions[i] = (Guid)(await create.ExecuteScalarAsync(cancellationToken))!;
        }

        var probe = new WindowProbe(wal, cpu);
        var result = await ClosedLoop.RunAsync(
            users.Length,
            settings.Warmup,
            settings.Duration,
            (worker, ct) => TurnAsync(database, users[worker], sessions[worker], ++asked[worker], replyChars, ct),
            probe.StartAsync,
            probe.EndAsync,
            cancellationToken);
        return LoadFigure.From(
            "seed",
            $"{Conversation.SizeName(replyChars)}: the seed route's 5 statements per turn (select session, update updated_at, insert user message, select " +
            "history, insert assistant message), each its own round trip, through Npgsql; no HTTP layer, no auth, no model; " +
            "the same questions and replies as ours",
            users.Length,
            result,
            probe);
    }

    private static async Task TurnAsync(
        NpgsqlDataSource database, Guid userId, Guid sessionId, int n, int replyChars, CancellationToken cancellationToken)
    {
        var question = Conversation.Question(n);
        // supabase.from('copilot_sessions').select('*').eq('id', sessionId).eq('user_id', user.id).single()
        await using (var select = database.CreateCommand($"SELECT * FROM {S}.copilot_sessions WHERE id = $1 AND user_id = $2"))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = sessionId });
            select.Parameters.Add(new NpgsqlParameter { Value = userId });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException("Seed session not found.");
            }

            for (var i = 0; i < reader.FieldCount; i++)
            {
                _ = reader.GetValue(i);
            }
        }

        // .update({ updated_at: new Date().toISOString() }).eq('id', session.id)
        await using (var touch = database.CreateCommand($"UPDATE {S}.copilot_sessions SET updated_at = $1 WHERE id = $2"))
        {
            touch.Parameters.Add(new NpgsqlParameter { Value = DateTime.UtcNow, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            touch.Parameters.Add(new NpgsqlParameter { Value = sessionId });
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertMessageAsync(database, sessionId, "user", question, cancellationToken);

        // .select('role, content').eq('session_id', session.id).order('created_at', { ascending: true }).limit(10)
        await using (var history = database.CreateCommand(
            $"SELECT role, content FROM {S}.copilot_messages WHERE session_id = $1 ORDER BY created_at ASC LIMIT 10"))
        {
            history.Parameters.Add(new NpgsqlParameter { Value = sessionId });
            await using var reader = await history.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                _ = reader.GetString(0);
                _ = reader.GetString(1);
            }
        }

        await InsertMessageAsync(database, sessionId, "assistant", Conversation.Reply(n, replyChars), cancellationToken);
    }

    private static async Task InsertMessageAsync(
        NpgsqlDataSource database, Guid sessionId, string role, string content, CancellationToken cancellationToken)
    {
        // .from('copilot_messages').insert({ session_id, role, content })
        await using var insert = database.CreateCommand(
            $"INSERT INTO {S}.copilot_messages (session_id, role, content) VALUES ($1, $2, $3)");
        insert.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        insert.Parameters.Add(new NpgsqlParameter { Value = role });
        insert.Parameters.Add(new NpgsqlParameter { Value = content });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
