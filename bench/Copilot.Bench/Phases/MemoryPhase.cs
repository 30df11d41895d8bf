using System.Diagnostics;
using Copilot.Bench.Hosting;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Testing.Silos;

namespace Copilot.Bench.Phases;

/// <summary>The silo's working set per active session: activate many sessions of several turns each, ten sessions per
/// user, forcing a GC in the silo before each reading.</summary>
/// <remarks>A session is created and given all its turns but the last through an Orleans client
/// (<see cref="ISessionGrain.AppendAsync"/>, one call per session, with the model's texts), then its last turn is a full
/// HTTP turn: each session ends as a real one does, at a fraction of the time of its turns all through HTTP.</remarks>
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
        var turns = settings.MemoryTurnsPerSession;
        var replyChars = settings.LongReplyChars;

        var activationsBefore = await SessionActivationsAsync(management);
        var before = await SettledWorkingSetAsync(management, silo, cancellationToken);

        var users = Enumerable.Range(0, (settings.MemorySessions + SessionsPerUser - 1) / SessionsPerUser)
            .Select(_ => Guid.NewGuid())
            .ToArray();
        var earlier = Enumerable.Range(0, turns - 1)
            .SelectMany(n => new[]
            {
                new NewMessage(MessageRole.User, Conversation.Question(n)),
                new NewMessage(MessageRole.Assistant, Conversation.Reply(n, replyChars)),
            })
            .ToList();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.Users).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < settings.MemorySessions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var user = users[n % users.Length];
                var id = Guid.NewGuid();
                if (earlier.Count > 0)
                {
                    var session = grains.GetGrain<ISessionGrain>(id);
                    await session.CreateAsync(user, PersonaRole.Field);
                    await session.AppendAsync(user, earlier);
                }

                await http.TurnAsync(user, earlier.Count > 0 ? id : null, Conversation.Question(turns - 1), cancellationToken);
            }
        }));
        var filledPerSecond = settings.MemorySessions / clock.Elapsed.TotalSeconds;

        var activationsAfter = await SessionActivationsAsync(management);
        var after = await SettledWorkingSetAsync(management, silo, cancellationToken);
        return new MemoryFigure(
            settings.MemorySessions,
            users.Length,
            turns,
            replyChars,
            before,
            after,
            activationsBefore,
            activationsAfter,
            filledPerSecond,
            turns > 1
                ? $"each session created and given {turns - 1} turns ({2 * (turns - 1)} messages, the model's texts) by " +
                    $"ISessionGrain.CreateAsync and one AppendAsync through an Orleans client, then 1 full HTTP turn"
                : "each session created by 1 full HTTP turn");
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
