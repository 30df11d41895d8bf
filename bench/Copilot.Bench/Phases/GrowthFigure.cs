using Copilot.Bench.Measuring;

namespace Copilot.Bench.Phases;

/// <summary>Turns at one history length: latency, and WAL bytes per turn (mean over the turns, of it full-page images,
/// and the smallest and largest single turn).</summary>
internal sealed record class GrowthFigure(
    int HistoryLength,
    int HistoryMax,
    int Turns,
    LatencySummary Latency,
    double? WalBytesPerTurn,
    double? WalPageImageBytesPerTurn,
    long? WalBytesMin,
    long? WalBytesMax)
{
    /// <summary>WAL bytes per turn without full-page images (all of them when those cannot be counted).</summary>
    public double? WalRecordBytesPerTurn => WalBytesPerTurn - (WalPageImageBytesPerTurn ?? 0);
}
