using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;

namespace Copilot.Bench.Phases;

/// <summary>Our turns without HTTP: the same users and turns, through an Orleans client of the cluster (start the turn,
/// read the reply until it is stored), so that the comparison with the seed's SQL, which has no HTTP either, can be
/// made like for like.</summary>
internal static class GrainTurnsPhase
{
    private static readonly TimeSpan PollWait = TimeSpan.FromSeconds(5);

    public static async Task<LoadFigure> RunAsync(ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var grains = target.Grains ?? throw new InvalidOperationException("Needs an Orleans client of the cluster (local mode).");
        var users = Enumerable.Range(0, settings.Users).Select(_ => Guid.NewGuid()).ToArray();
        var sessions = users.Select(_ => grains.GetGrain<ISessionGrain>(Guid.NewGuid())).ToArray();
        var asked = new int[users.Length];
        await Task.WhenAll(Enumerable.Range(0, users.Length).Select(i =>
            TurnAsync(sessions[i], users[i], new TurnRequest { Content = Conversation.Question(0), Role = PersonaRole.Field, CreateIfMissing = true })));

        var probe = new WindowProbe(target.Wal, target.Cpu);
        var result = await ClosedLoop.RunAsync(
            users.Length,
            settings.Warmup,
            settings.Duration,
            (worker, _) => TurnAsync(sessions[worker], users[worker], new TurnRequest { Content = Conversation.Question(++asked[worker]) }),
            probe.StartAsync,
            probe.EndAsync,
            cancellationToken);
        return LoadFigure.From(
            "ours, no HTTP",
            "the same turn through an Orleans client (ISessionGrain.StartTurnAsync, then ReadReplyAsync until the reply " +
            "is stored): no HTTP, no JWT, same storage work",
            users.Length,
            result,
            probe);
    }

    /// <summary>Starts a turn and reads its reply until it is stored; throws unless it completed.</summary>
    internal static async Task<SessionMessage> TurnAsync(ISessionGrain session, Guid userId, TurnRequest request)
    {
        var started = await session.StartTurnAsync(userId, request);
        var offset = 0;
        ReplyProgress progress;
        do
        {
            progress = await session.ReadReplyAsync(userId, started.TurnId, offset, PollWait);
            offset = progress.NextOffset;
        }
        while (!progress.Done);

        if (progress.Status != MessageStatus.Complete || progress.Message is not { } reply)
        {
            throw new InvalidOperationException($"The turn ended {progress.Status}: {progress.ErrorCode}");
        }

        return reply;
    }
}
