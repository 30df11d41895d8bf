using Copilot.Bench.Phases;

namespace Copilot.Bench.Reporting;

/// <summary>Everything one run measured; written as JSON and printed as Markdown.</summary>
internal sealed record class BenchReport
{
    public required DateTimeOffset StartedAt { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required MachineInfo Machine { get; init; }

    public required string LoadAverageAfter { get; init; }

    public required BenchSettings Settings { get; init; }

    public required string Service { get; init; }

    public LoadFigure? Ours { get; init; }

    /// <summary>Our turns through an Orleans client instead of HTTP.</summary>
    public LoadFigure? OursWithoutHttp { get; init; }

    public LoadFigure? Seed { get; init; }

    public LoadFigure? Floor { get; init; }

    /// <summary>Our turns per second over the seed's.</summary>
    public double? OursOverSeed => Ours is null || Seed is null ? null : Ours.PerSecond / Seed.PerSecond;

    /// <summary>Our turns per second without HTTP over the seed's (which has no HTTP either).</summary>
    public double? OursWithoutHttpOverSeed => OursWithoutHttp is null || Seed is null ? null : OursWithoutHttp.PerSecond / Seed.PerSecond;

    /// <summary>Our turns per second over the floor's.</summary>
    public double? OursOverFloorThroughput => Ours is null || Floor is null ? null : Ours.PerSecond / Floor.PerSecond;

    /// <summary>Our median turn latency over the floor's.</summary>
    public double? OursOverFloorLatency => Ours is null || Floor is null ? null : Ours.Latency.P50 / Floor.Latency.P50;

    public GrowthResult? Growth { get; init; }

    public IReadOnlyList<ReadFigure> Reads { get; init; } = [];

    public MemoryFigure? Memory { get; init; }

    public IReadOnlyList<TargetCheck> Targets { get; init; } = [];

    /// <summary>Phases that failed or were skipped, and why.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
