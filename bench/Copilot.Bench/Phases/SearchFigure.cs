namespace Copilot.Bench.Phases;

/// <summary>What search costs: turns with the index kept and without it, the searches of one user among many, and the
/// index's size per message.</summary>
/// <param name="IndexingOn">Full HTTP turns with the index kept by the storage triggers.</param>
/// <param name="IndexingOff">The same turns with the triggers disabled.</param>
/// <param name="BytesPerTurnMessage">The index's size (table, TOAST and indexes) per message it holds after the turns,
/// whose replies are the bench's own.</param>
/// <param name="Messages">Messages in the index while searching.</param>
/// <param name="UserMessages">Of those, the searching user's.</param>
/// <param name="BytesPerMessage">The index's size per message while searching.</param>
/// <param name="Queries">Each query's latency, through <c>GET /v1/search</c>.</param>
internal sealed record class SearchFigure(
    LoadFigure? IndexingOn,
    LoadFigure? IndexingOff,
    double? BytesPerTurnMessage,
    long Messages,
    long UserMessages,
    double BytesPerMessage,
    IReadOnlyList<ReadFigure> Queries)
{
    /// <summary>WAL bytes per turn with the index over without it.</summary>
    public double? WalOnOverOff => IndexingOn?.WalBytesPerOp / IndexingOff?.WalBytesPerOp;

    /// <summary>CPU per turn (service and PostgreSQL) with the index over without it.</summary>
    public double? CpuOnOverOff => IndexingOn?.CpuPerOp is { } on && IndexingOff?.CpuPerOp is { } off
        ? (on.Service + on.Postgres) / (off.Service + off.Postgres)
        : null;

    /// <summary>The slowest query's p99.</summary>
    public double? WorstP99 => Queries.Count == 0 ? null : Queries.Max(q => q.Latency.P99);
}
