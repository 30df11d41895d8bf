using Copilot.Bench.Measuring;

namespace Copilot.Bench.Phases;

/// <summary>Turns at one history length: latency, and WAL bytes per turn (mean over the turns, and the smallest and
/// largest single turn).</summary>
internal sealed record class GrowthFigure(
    int HistoryLength, int HistoryMax, int Turns, LatencySummary Latency, double? WalBytesPerTurn, long? WalBytesMin, long? WalBytesMax);
