using Copilot.Bench.Measuring;

namespace Copilot.Bench.Phases;

/// <summary>Turns at one history length: latency, and WAL bytes per turn (mean over the turns, of it full-page images,
/// the median of the turns that logged no full-page image (<see cref="WalWindows"/>), and the smallest and largest
/// single turn).</summary>
internal sealed record class GrowthFigure(
    int HistoryLength,
    int HistoryMax,
    int Turns,
    LatencySummary Latency,
    double? WalBytesPerTurn,
    double? WalPageImageBytesPerTurn,
    double? WalBytesWithoutImages,
    int TurnsWithoutImages,
    long? WalBytesMin,
    long? WalBytesMax);
