namespace Copilot.Bench.Measuring;

/// <summary>WAL bytes and CPU time between the two edges of a measured window; each part only when it can be read.</summary>
internal sealed class WindowProbe(WalCounter? wal, CpuMeter? cpu)
{
    private CpuSample? _cpuStart;

    /// <summary>The WAL position at the window's start (bytes since the start of the log).</summary>
    public long? WalStart { get; private set; }

    /// <summary>The WAL position at the window's end.</summary>
    public long? WalEnd { get; private set; }

    /// <summary>WAL bytes written inside the window.</summary>
    public long? WalBytes { get; private set; }

    /// <summary>Of <see cref="WalBytes"/>, the full-page images.</summary>
    public long? WalPageImageBytes { get; private set; }

    /// <summary>CPU used inside the window.</summary>
    public CpuSample? Cpu { get; private set; }

    public async Task StartAsync()
    {
        _cpuStart = cpu?.Sample();
        WalStart = wal is null ? null : await wal.PositionAsync();
    }

    public async Task EndAsync()
    {
        Cpu = cpu is null ? null : cpu.Sample() - _cpuStart!;
        if (wal is not null)
        {
            WalEnd = await wal.PositionAsync();
            WalBytes = WalEnd - WalStart;
            WalPageImageBytes = await wal.FullPageImageBytesAsync(WalStart!.Value, WalEnd.Value);
        }
    }
}
