namespace Copilot.Bench.Measuring;

/// <summary>What a closed-loop run measured: operations completed inside the window, their latencies, the failures.</summary>
internal sealed record class LoadResult(int Completed, TimeSpan Window, LatencySummary Latency, int Errors, string? FirstError)
{
    /// <summary>Operations per second over the window.</summary>
    public double PerSecond => Completed / Window.TotalSeconds;
}
