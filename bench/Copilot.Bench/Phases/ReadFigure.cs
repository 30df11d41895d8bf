using Copilot.Bench.Measuring;

namespace Copilot.Bench.Phases;

/// <summary>One read, repeated: its latency and the size of its answer.</summary>
internal sealed record class ReadFigure(string Name, string What, LatencySummary Latency, long? Bytes);
