using Copilot.Bench.Measuring;

namespace Copilot.Bench.Phases;

/// <summary>One closed-loop measurement: operations per second, latency, WAL bytes and CPU per operation.</summary>
internal sealed record class LoadFigure(
    string Name,
    string What,
    int Users,
    double PerSecond,
    LatencySummary Latency,
    int Errors,
    string? FirstError,
    double? WalBytesPerOp,
    double? WalPageImageBytesPerOp,
    CpuPerOperation? CpuPerOp,
    double? OtherProcessesCpuShare)
{
    /// <summary>Builds the figure from a run and what <paramref name="probe"/> saw during its window.</summary>
    public static LoadFigure From(string name, string what, int users, LoadResult result, WindowProbe probe) => new(
        name,
        what,
        users,
        result.PerSecond,
        result.Latency,
        result.Errors,
        result.FirstError,
        probe.WalBytes is { } bytes && result.Completed > 0 ? (double)bytes / result.Completed : null,
        probe.WalPageImageBytes is { } images && result.Completed > 0 ? (double)images / result.Completed : null,
        probe.Cpu is { } cpu && result.Completed > 0 ? cpu.PerOperation(result.Completed) : null,
        probe.Cpu is { } window ? Math.Max(0, window.Others / (result.Window * Environment.ProcessorCount)) : null);

    /// <summary>WAL bytes per operation without full-page images (all of them when those cannot be counted).</summary>
    public double? WalRecordBytesPerOp => WalBytesPerOp - (WalPageImageBytesPerOp ?? 0);

    /// <summary>The share of the machine's CPU (all cores) other processes used during the window.</summary>
    public string OtherProcessesNote => OtherProcessesCpuShare is { } share ? $"{share:0%}" : "n/a";
}
