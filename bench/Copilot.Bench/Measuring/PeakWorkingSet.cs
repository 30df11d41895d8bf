using Copilot.Testing.Silos;

namespace Copilot.Bench.Measuring;

/// <summary>The silo process's largest working set between <see cref="Start"/> and <see cref="StopAsync"/>, sampled
/// every 100 ms: what holding photos in flight costs in memory, beside the same loop of text.</summary>
internal sealed class PeakWorkingSet(SiloProcess silo)
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    private CancellationTokenSource? _stop;
    private Task? _sampling;

    /// <summary>The largest working set seen, in bytes.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Starts sampling.</summary>
    public void Start()
    {
        _stop = new CancellationTokenSource();
        var stop = _stop.Token;
        PeakBytes = silo.WorkingSetBytes();
        _sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Every);
            while (await timer.WaitForNextTickAsync(CancellationToken.None) && !stop.IsCancellationRequested)
            {
                PeakBytes = Math.Max(PeakBytes, silo.WorkingSetBytes());
            }
        });
    }

    /// <summary>Stops sampling (after one last sample).</summary>
    public async Task StopAsync()
    {
        if (_stop is null || _sampling is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _sampling;
        PeakBytes = Math.Max(PeakBytes, silo.WorkingSetBytes());
        _stop.Dispose();
    }
}
