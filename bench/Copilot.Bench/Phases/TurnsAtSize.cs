namespace Copilot.Bench.Phases;

/// <summary>The closed-loop figures at one reply size: ours, ours without HTTP, the seed's SQL storing the same texts,
/// and the floor (measured at the first size only).</summary>
internal sealed record class TurnsAtSize(
    int ReplyChars,
    string SizeName,
    LoadFigure? Ours,
    LoadFigure? OursWithoutHttp,
    LoadFigure? Seed,
    LoadFigure? Floor)
{
    /// <summary>Our turns per second over the seed's.</summary>
    public double? OursOverSeed => Ours is null || Seed is null ? null : Ours.PerSecond / Seed.PerSecond;

    /// <summary>Our turns per second without HTTP over the seed's (which has no HTTP either).</summary>
    public double? OursWithoutHttpOverSeed => OursWithoutHttp is null || Seed is null ? null : OursWithoutHttp.PerSecond / Seed.PerSecond;

    /// <summary>Our WAL bytes per turn over the seed's, full-page images left out when both can be told apart.</summary>
    public double? WalOverSeed => Ours?.WalRecordBytesPerOp / Seed?.WalRecordBytesPerOp;

    /// <summary>Our CPU per turn (service and PostgreSQL) over the seed's PostgreSQL CPU per turn.</summary>
    public double? CpuOverSeedPostgres => Ours?.CpuPerOp is { } ours && Seed?.CpuPerOp is { } seed
        ? (ours.Service + ours.Postgres) / seed.Postgres
        : null;
}
