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

    /// <summary>The closed-loop figures, one entry per reply size.</summary>
    public IReadOnlyList<TurnsAtSize> Turns { get; init; } = [];

    /// <summary>A send's calls to its user's limits grain, alone (at the first reply size).</summary>
    public LoadFigure? Limits { get; init; }

    /// <summary>What search costs a turn and how fast it answers (at the last reply size).</summary>
    public SearchFigure? Search { get; init; }

    public GrowthResult? Growth { get; init; }

    public IReadOnlyList<ReadFigure> Reads { get; init; } = [];

    /// <summary>What a regenerate, an edit and a switch write, and reads of a branched session beside a linear one.</summary>
    public BranchesResult? Branches { get; init; }

    /// <summary>What each kind of change to a user's session list writes, at few sessions and at many.</summary>
    public IReadOnlyList<ListWriteFigure> ListWrites { get; init; } = [];

    public MemoryFigure? Memory { get; init; }

    /// <summary>A turn with one photo beside a text turn, and uploads (at the last reply size).</summary>
    public PhotosFigure? Photos { get; init; }

    /// <summary>The streaming phase's figures, in the order they ran.</summary>
    public IReadOnlyList<StreamFigure> Streams { get; init; } = [];

    /// <summary>The streaming phase's model clients alone, with no service around them.</summary>
    public IReadOnlyList<ModelClientFigure> ModelClients { get; init; } = [];

    public IReadOnlyList<TargetCheck> Targets { get; init; } = [];

    /// <summary>Phases that failed or were skipped, and why.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
