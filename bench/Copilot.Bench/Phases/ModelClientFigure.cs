namespace Copilot.Bench.Phases;

/// <summary>A model client alone at one concurrency.</summary>
/// <param name="Client">Which client.</param>
/// <param name="Users">Streams read at a time.</param>
/// <param name="PerSecond">Streams that ended inside the window, per second.</param>
/// <param name="CpuMilliseconds">The client process's CPU time in the window per stream.</param>
internal sealed record class ModelClientFigure(string Client, int Users, double PerSecond, double CpuMilliseconds);
