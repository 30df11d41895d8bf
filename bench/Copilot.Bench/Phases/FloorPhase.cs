using Copilot.Bench.Measuring;
using Npgsql;

namespace Copilot.Bench.Phases;

/// <summary>The floor: a turn that does nothing but make its two messages durable, one single-row INSERT each (its own
/// round trip and commit, so its own WAL flush), at the same concurrency. No durable chat store on this machine can
/// do a turn in less.</summary>
internal static class FloorPhase
{
    public static async Task<LoadFigure> RunAsync(
        WalCounter? wal, CpuMeter? cpu, string connectionString, BenchSettings settings, int replyChars, CancellationToken cancellationToken)
    {
        await using var database = BaselineSchema.CreateDataSource(connectionString, settings.Users);
        var asked = new int[settings.Users];
        var probe = new WindowProbe(wal, cpu);
        var result = await ClosedLoop.RunAsync(
            settings.Users,
            settings.Warmup,
            settings.Duration,
            async (worker, ct) =>
            {
                var n = ++asked[worker];
                await InsertAsync(database, Conversation.Question(n), ct);
                await InsertAsync(database, Conversation.Reply(n, replyChars), ct);
            },
            probe.StartAsync,
            probe.EndAsync,
            cancellationToken);
        return LoadFigure.From(
            "floor",
            "2 durable single-row INSERTs per turn (one per message, each its own round trip and commit), nothing else",
            settings.Users,
            result,
            probe);
    }

    private static async Task InsertAsync(NpgsqlDataSource database, string content, CancellationToken cancellationToken)
    {
        await using var insert = database.CreateCommand($"INSERT INTO {BaselineSchema.Name}.floor_messages (id, content) VALUES ($1, $2)");
        insert.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
        insert.Parameters.Add(new NpgsqlParameter { Value = content });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
