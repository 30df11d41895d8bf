using Copilot.Chaos.Cluster;
using Copilot.Silo.Database;

namespace Copilot.Chaos.Faults;

/// <summary>Injects faults one after another: every kind in turn (in a shuffled order each round), at least one round,
/// each at a random target, with random pauses; after each, waits for full service and records how long it took.</summary>
internal sealed class FaultScheduler(LocalCluster cluster, ServiceProbe probe, int seed)
{
    /// <summary>Longest a fault's recovery is waited for before the next fault is injected anyway.</summary>
    public static readonly TimeSpan RecoveryWait = TimeSpan.FromSeconds(60);

    private readonly Random _random = new(seed);
    private readonly List<Fault> _faults = [];

    /// <summary>The faults injected so far.</summary>
    public IReadOnlyList<Fault> Faults => _faults;

    /// <summary>Injects one round of every kind, then more rounds until <paramref name="until"/>; no fault is started
    /// after it once the first round is done.</summary>
    public async Task RunAsync(DateTime until, Action<string> log)
    {
        var kinds = Enum.GetValues<FaultKind>();
        for (var round = 0; round == 0 || DateTime.UtcNow < until; round++)
        {
            _random.Shuffle(kinds);
            foreach (var kind in kinds)
            {
                if (round > 0 && DateTime.UtcNow >= until)
                {
                    return;
                }

                var fault = await InjectAsync(kind);
                var recovered = fault.Error is null ? await probe.WaitForFullServiceAsync(RecoveryWait) : null;
                fault = fault with { RecoveredAt = recovered };
                _faults.Add(fault);
                log($"fault {_faults.Count}: {Describe(fault)}; back to full service after "
                    + (fault.Recovery is { } r ? $"{r.TotalSeconds:0.0} s" : "never"));
                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(1_000, 4_000)));
            }
        }
    }

    /// <summary>"kill -9 silo 1" and the like.</summary>
    public static string Describe(Fault fault) => fault.Kind switch
    {
        FaultKind.KillSilo => $"kill -9 silo {fault.Silo}, restart",
        FaultKind.StopSilo => $"SIGTERM silo {fault.Silo}, restart",
        FaultKind.RestartPostgres => "pg_ctl restart -m immediate",
        _ => $"SIGSTOP PostgreSQL {(fault.EndedAt - fault.InjectedAt).TotalSeconds:0.0} s, SIGCONT",
    } + (fault.Error is null ? "" : $" (failed: {fault.Error})");

    private async Task<Fault> InjectAsync(FaultKind kind)
    {
        var silo = kind is FaultKind.KillSilo or FaultKind.StopSilo ? cluster.Silos[_random.Next(cluster.Silos.Count)] : null;
        var fault = new Fault { Kind = kind, Silo = silo?.Index, InjectedAt = DateTime.UtcNow };
        try
        {
            switch (kind)
            {
                case FaultKind.KillSilo:
                    await silo!.KillAsync();
                    await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(500, 2_000)));
                    await silo.StartAsync(TimeSpan.FromMinutes(2));
                    break;
                case FaultKind.StopSilo:
                    await silo!.TerminateAsync(TimeSpan.FromSeconds(90));
                    await silo.StartAsync(TimeSpan.FromMinutes(2));
                    break;
                case FaultKind.RestartPostgres:
                    await cluster.Postgres.RestartImmediateAsync();
                    break;
                default:
                    var stopped = cluster.Postgres.Freeze();
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(3_000, 5_000)));
                    }
                    finally
                    {
                        PostgresServer.Thaw(stopped);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or LocalPostgresException)
        {
            fault = fault with { Error = ex.Message };
        }

        return fault with { EndedAt = DateTime.UtcNow };
    }
}
