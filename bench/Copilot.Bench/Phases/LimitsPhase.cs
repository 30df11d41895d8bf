using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Grains.Usage;

namespace Copilot.Bench.Phases;

/// <summary>What the per-user limits add to a send: the calls a send makes to its user's limits grain (admit and take a
/// stream slot, then free it when the model call ends), alone, through an Orleans client of the cluster.</summary>
/// <remarks>An upper bound: in the service these calls go silo to silo (or stay in the silo), without the client's
/// gateway hop.</remarks>
internal static class LimitsPhase
{
    public static async Task<LoadFigure> RunAsync(ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var grains = target.Grains ?? throw new InvalidOperationException("Needs an Orleans client of the cluster (local mode).");
        var limits = Enumerable.Range(0, settings.Users).Select(_ => grains.GetGrain<IUserLimitsGrain>(Guid.NewGuid())).ToArray();
        var probe = new WindowProbe(target.Wal, target.Cpu);
        var result = await ClosedLoop.RunAsync(
            limits.Length,
            settings.Warmup,
            settings.Duration,
            async (worker, _) =>
            {
                var slot = Guid.NewGuid();
                var decision = await limits[worker].TryStartSendAsync(slot);
                if (!decision.IsAdmitted)
                {
                    throw new InvalidOperationException($"The send was refused: {decision.Refusal}");
                }

                await limits[worker].ReleaseSlotAsync(slot);
            },
            probe.StartAsync,
            probe.EndAsync,
            cancellationToken);
        return LoadFigure.From(
            "limits",
            "a send's calls to its user's limits grain (admit with a stream slot, free it at the end), through an Orleans client",
            limits.Length,
            result,
            probe);
    }
}
