using Npgsql;

namespace Copilot.Bench.Measuring;

/// <summary>WAL bytes and CPU time between the two edges of a measured window; each part only when it can be read.</summary>
internal sealed class WindowProbe(NpgsqlDataSource? database, CpuMeter? cpu)
{
    private readonly WalCounter? _wal = database is null ? null : new WalCounter(database);
    private long? _walStart;
    private CpuSample? _cpuStart;

    /// <summary>WAL bytes written inside the window.</summary>
    public long? WalBytes { get; private set; }

    /// <summary>CPU used inside the window.</summary>
    public CpuSample? Cpu { get; private set; }

    public async Task StartAsync()
    {
        _cpuStart = cpu?.Sample();
        _walStart = _wal is null ? null : await _wal.PositionAsync();
    }

    public async Task EndAsync()
    {
        WalBytes = _wal is null ? null : await _wal.PositionAsync() - _walStart;
        Cpu = cpu is null ? null : cpu.Sample() - _cpuStart!;
    }
}
