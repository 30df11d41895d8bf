using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;

namespace Copilot.Bench.Phases;

/// <summary>Our turns: N users, each in their own session, doing full HTTP turns back to back (POST, read the whole
/// streamed reply).</summary>
internal static class TurnsPhase
{
    /// <summary>Unmeasured turns at full load for <see cref="BenchSettings.ServiceWarmup"/>, so that the phases measure
    /// the service's steady state rather than .NET's JIT recompiling the hot paths (it takes ~20 s on 2 busy cores).</summary>
    public static async Task<LoadResult> WarmUpAsync(ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var http = new CopilotHttp(target);
        var users = Enumerable.Range(0, settings.Users).Select(_ => Guid.NewGuid()).ToArray();
        var sessions = new Guid?[users.Length];
        var asked = new int[users.Length];
        return await ClosedLoop.RunAsync(
            users.Length,
            settings.ServiceWarmup,
            TimeSpan.Zero,
            async (worker, ct) => sessions[worker] = await http.TurnAsync(users[worker], sessions[worker], Conversation.Question(++asked[worker]), ct),
            cancellationToken: cancellationToken);
    }

    public static async Task<LoadFigure> RunAsync(ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var http = new CopilotHttp(target);
        var users = Enumerable.Range(0, settings.Users).Select(_ => Guid.NewGuid()).ToArray();
        var sessions = new Guid[users.Length];
        var asked = new int[users.Length];
        await Task.WhenAll(Enumerable.Range(0, users.Length).Select(async i =>
            sessions[i] = await http.TurnAsync(users[i], null, Conversation.Question(0), cancellationToken)));

        var probe = new WindowProbe(target.Wal, target.Cpu);
        var result = await ClosedLoop.RunAsync(
            users.Length,
            settings.Warmup,
            settings.Duration,
            (worker, ct) => http.TurnAsync(users[worker], sessions[worker], Conversation.Question(++asked[worker]), ct),
            probe.StartAsync,
            probe.EndAsync,
            cancellationToken);
        return LoadFigure.From(
            "ours",
            "full HTTP turn: POST /api/copilot, read the whole streamed reply (JWT check, user message stored before the " +
            "model, offline model at zero delay, reply stored, session index updated)",
            users.Length,
            result,
            probe);
    }
}
