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

    /// <summary>Measures our turns with the service answering <paramref name="replyChars"/>-char replies (0: the short
    /// reply); adds to <paramref name="problems"/> when its replies are not the offline model's at that size, as then the
    /// seed's rows do not hold the same texts. <paramref name="measured"/> is given the measured window's probe.</summary>
    public static async Task<LoadFigure> RunAsync(
        ServiceTarget target, BenchSettings settings, int replyChars, List<string> problems, CancellationToken cancellationToken,
        Action<WindowProbe>? measured = null)
    {
        var http = new CopilotHttp(target);
        var users = Enumerable.Range(0, settings.Users).Select(_ => Guid.NewGuid()).ToArray();
        var sessions = new Guid[users.Length];
        var asked = new int[users.Length];
        var firstReplies = await Task.WhenAll(Enumerable.Range(0, users.Length).Select(async i =>
        {
            (sessions[i], var reply) = await http.TurnWithReplyAsync(users[i], null, Conversation.Question(0), cancellationToken);
            return reply;
        }));
        var expected = Conversation.Reply(0, replyChars);
        if (firstReplies[0] != expected)
        {
            var problem = $"turns at {Conversation.SizeName(replyChars)}: the service's reply ({firstReplies[0].Length} chars) is not the " +
                $"offline model's ({expected.Length} chars), so the seed's rows do not hold the same texts; is " +
                $"Bench:ReplyChars {(replyChars > 0 ? $"set to {replyChars}" : "unset")}?";
            problems.Add(problem);
            await Console.Error.WriteLineAsync("   warning: " + problem);
        }

        var probe = new WindowProbe(target.Wal, target.Cpu);
        var result = await ClosedLoop.RunAsync(
            users.Length,
            settings.Warmup,
            settings.Duration,
            (worker, ct) => http.TurnAsync(users[worker], sessions[worker], Conversation.Question(++asked[worker]), ct),
            probe.StartAsync,
            probe.EndAsync,
            cancellationToken);
        measured?.Invoke(probe);
        return LoadFigure.From(
            "ours",
            $"{Conversation.SizeName(replyChars)}: full HTTP turn: POST /api/copilot, read the whole streamed reply (JWT check, user message stored before the " +
            "model, offline model at zero delay, reply stored, session index updated)",
            users.Length,
            result,
            probe);
    }
}
