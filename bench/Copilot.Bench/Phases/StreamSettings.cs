namespace Copilot.Bench.Phases;

/// <summary>The streaming phase's model and load.</summary>
internal sealed record class StreamSettings
{
    /// <summary>Characters per chunk the fake model sends (a token is about 4).</summary>
    public int ChunkChars { get; init; } = 4;

    /// <summary>Milliseconds between two chunks.</summary>
    public int PaceMilliseconds { get; init; } = 20;

    /// <summary>Characters per reply.</summary>
    public int ReplyChars { get; init; } = 2_000;

    /// <summary>Concurrencies measured, each on every route.</summary>
    public IReadOnlyList<int> Users { get; init; } = [48, 200];

    /// <summary>Unmeasured time after the users have all started (which takes one turn's length).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Measured time per route and concurrency.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Further runs of our routes, each on a silo started with extra settings (an A/B in the same run), by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Variants { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();
}
