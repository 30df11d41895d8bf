namespace Copilot.Bench.Measuring;

/// <summary>Latencies of one measured operation, in milliseconds.</summary>
internal sealed record class LatencySummary(int Count, double Mean, double P50, double P95, double P99, double Max)
{
    /// <summary>Summarizes <paramref name="milliseconds"/> (nearest-rank percentiles).</summary>
    public static LatencySummary From(IReadOnlyCollection<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        if (milliseconds.Count == 0)
        {
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = milliseconds.Order().ToArray();
        return new LatencySummary(
            sorted.Length, sorted.Average(), Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted[^1]);
    }

    private static double Percentile(double[] sorted, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
