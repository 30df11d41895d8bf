using System.Diagnostics;
using Copilot.Bench.Hosting;

namespace Copilot.Bench.Phases;

/// <summary>The silo's working set per active session: activate many sessions (one full HTTP turn each, a new session
/// per turn, ten sessions per user), forcing a GC in the silo before each reading.</summary>
internal static class MemoryPhase
{
    /// <summary>Sessions per user.</summary>
    public const int SessionsPerUser = 10;

    public static async Task<MemoryFigure> RunAsync(ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var silo = target.Silo ?? throw new InvalidOperationException("The memory figure needs the silo process (local mode).");
        var grains = target.Grains ?? throw new InvalidOperationException("The memory figure needs an Orleans client (local mode).");
        var management = grains.GetGrain<IManagementGrain>(0);
        var http = new CopilotHttp(target);

        var activationsBefore = await SessionActivationsAsync(management);
        var before = await SettledWorkingSetAsync(management, silo, cancellationToken);

        var users = Enumerable.Range(0, (settings.MemorySessions + SessionsPerUser - 1) / SessionsPerUser)
            .Select(_ => Guid.NewGuid())
            .ToArray();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.Users).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < settings.MemorySessions)
            {
                await http.TurnAsync(users[n % users.Length], null, Conversation.Question(0), cancellationToken);
            }
        }));
        var createdPerSecond = settings.MemorySessions / clock.Elapsed.TotalSeconds;

        var activationsAfter = await SessionActivationsAsync(management);
        var after = await SettledWorkingSetAsync(management, silo, cancellationToken);
        return new MemoryFigure(
            settings.MemorySessions, users.Length, before, after, activationsBefore, activationsAfter, createdPerSecond);
    }

    /// <summary>The working set after two forced full collections in the silo and a moment to settle.</summary>
    private static async Task<long> SettledWorkingSetAsync(IManagementGrain management, SiloProcess silo, CancellationToken cancellationToken)
    {
        var silos = (await management.GetHosts(onlyActive: true)).Keys.ToArray();
        for (var i = 0; i < 2; i++)
        {
            await management.ForceGarbageCollection(silos);
            await Task.Delay(1000, cancellationToken);
        }

        return silo.WorkingSetBytes();
    }

    private static async Task<int?> SessionActivationsAsync(IManagementGrain management)
    {
        var statistics = await management.GetSimpleGrainStatistics();
        return statistics
            .Where(s => s.GrainType.EndsWith(".SessionGrain", StringComparison.Ordinal) || s.GrainType.Contains(".SessionGrain,", StringComparison.Ordinal))
            .Sum(s => s.ActivationCount);
    }
}
