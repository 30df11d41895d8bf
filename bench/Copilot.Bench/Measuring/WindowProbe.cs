namespace Copilot.Bench.Measuring;

/// <summary>WAL bytes and CPU time between the two edges of a measured window; each part only when it can be read.</summary>
internal sealed class WindowProbe(WalCounter? wal, CpuMeter? cpu)
{
    private long? _walStart;
    private CpuSample? _cpuStart;

    /// <summary>WAL bytes written inside the window.</summary>
    public long? WalBytes { get; private set; }

    /// <summary>Of <see cref="WalBytes"/>, the full-page images.</summary>
    public long? WalPageImageBytes { get; private set; }

    /// <summary>CPU used inside the window.</summary>
    public CpuSample? Cpu { get; private set; }

    public async Task StartAsync()
    {
        _cpuStart = cpu?.Sample();
        _walStart = wal is null ? null : await wal.PositionAsync();
    }

    public async Task EndAsync()
    {
        Cpu = cpu is null ? null : cpu.Sample() - _cpuStart!;
        if (wal is not null)
        {
            var end = await wal.PositionAsync();
            WalBytes = end - _walStart;
            WalPageImageBytes = await wal.FullPageImageBytesAsync(_walStart!.Value, end);
        }
    }
}
