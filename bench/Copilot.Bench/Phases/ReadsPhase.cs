using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;

namespace Copilot.Bench.Phases;

/// <summary>Reads a panel makes: the newest page of a long session, a long session's whole history, and the session
/// list of a user with many sessions. Each read runs alone, one after another, after one unmeasured read.</summary>
internal static class ReadsPhase
{
    /// <summary>Messages in the newest page.</summary>
    public const int PageSize = 50;

    public static async Task<IReadOnlyList<ReadFigure>> RunAsync(
        ServiceTarget target, BenchSettings settings, GrowthResult growth, CancellationToken cancellationToken)
    {
        var http = new CopilotHttp(target);
        var figures = new List<ReadFigure>();
        var repeats = settings.Quick ? 20 : 200;

        if (target.Grains is { } grains)
        {
            var session = grains.GetGrain<ISessionGrain>(growth.LongestSession);
            _ = await session.GetMessagesAsync(growth.LongestUser, null, PageSize);
            var latency = await ClosedLoop.SequentialAsync(
                repeats,
                async _ =>
                {
                    var page = await session.GetMessagesAsync(growth.LongestUser, null, PageSize)
                        ?? throw new InvalidOperationException("The long session was not found.");
                    if (page.Messages.Count != PageSize)
                    {
                        throw new InvalidOperationException($"Expected {PageSize} messages, got {page.Messages.Count}.");
                    }
                },
                cancellationToken);
            figures.Add(new ReadFigure(
                "newest page",
                $"newest {PageSize} messages of a {growth.LongestLength:N0}-message session: ISessionGrain.GetMessagesAsync " +
                "through an Orleans client (the call behind GET /v1/sessions/{id}/messages)",
                latency,
                null));
        }

        long historyBytes = 0;
        var historyLatency = await ClosedLoop.SequentialAsync(
            settings.Quick ? 5 : 20,
            async _ => historyBytes = await http.LoadHistoryAsync(growth.LongestUser, growth.LongestSession, cancellationToken),
            cancellationToken);
        figures.Add(new ReadFigure(
            "whole history",
            $"GET /api/copilot?sessionId= of the same session: every message, as the seed's panel loads it",
            historyLatency,
            historyBytes));

        var user = target.SharedUser ? Guid.Empty : Guid.NewGuid();
        await CreateSessionsAsync(target, http, user, settings.ListSessions, settings.Users, cancellationToken);
        long listBytes = 0;
        _ = await http.ListSessionsAsync(user, cancellationToken);
        var listLatency = await ClosedLoop.SequentialAsync(
            repeats, async _ => listBytes = await http.ListSessionsAsync(user, cancellationToken), cancellationToken);
        figures.Add(new ReadFigure(
            "session list",
            $"GET /api/copilot (the 5 most recent) for a user with {settings.ListSessions:N0} sessions",
            listLatency,
            listBytes));
        return figures;
    }

    private static async Task CreateSessionsAsync(
        ServiceTarget target, CopilotHttp http, Guid user, int count, int concurrency, CancellationToken cancellationToken)
    {
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                if (target.Grains is { } grains)
                {
                    await grains.GetGrain<ISessionGrain>(Guid.NewGuid()).CreateAsync(user, PersonaRole.Field);
                }
                else
                {
                    await http.TurnAsync(user, null, Conversation.Question(0), cancellationToken);
                }
            }
        }));
    }
}
