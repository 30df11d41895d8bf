using System.Diagnostics;
using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;

namespace Copilot.Bench.Phases;

/// <summary>What branching costs: the bytes a regenerate, an edit and a branch switch write beside a plain turn's, and
/// reads of a 5,000-message session whose active path passes many forks beside the same reads of a linear one.</summary>
/// <remarks>Through an Orleans client of the cluster (the calls behind <c>/v1/chat</c>'s regenerate and edit and
/// <c>PUT /v1/sessions/{id}/active</c>), one operation at a time, so each WAL difference is that operation's.</remarks>
internal static class BranchesPhase
{
    /// <summary>Messages on the active path of the read sessions.</summary>
    public const int PathLength = 5_000;

    /// <summary>Messages between two forks on the branched session's active path.</summary>
    public const int ForkEvery = 100;

    /// <summary>Messages in the newest page.</summary>
    private const int PageSize = ReadsPhase.PageSize;

    // The user list is updated just after a turn ends; waiting this long puts its write in the turn's count.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(150);

    public static async Task<BranchesResult> RunAsync(ServiceTarget target, BenchSettings settings, CancellationToken cancellationToken)
    {
        var grains = target.Grains ?? throw new InvalidOperationException("Needs an Orleans client of the cluster (local mode).");
        var writes = await MeasureWritesAsync(target, grains, settings, cancellationToken);
        var reads = await MeasureReadsAsync(target, grains, settings, cancellationToken);
        return new BranchesResult(writes, reads);
    }

    private static async Task<IReadOnlyList<BranchWriteFigure>> MeasureWritesAsync(
        ServiceTarget target, IGrainFactory grains, BenchSettings settings, CancellationToken cancellationToken)
    {
        var http = new CopilotHttp(target);
        var user = target.SharedUser ? Guid.Empty : Guid.NewGuid();
        var count = settings.Quick ? 4 : 40;

        // Lengths spread over one page cycle, as in the growth phase: a write's bytes rise and fall with the open page.
        var sessions = new List<Guid>();
        for (var k = 0; k < count; k++)
        {
            var length = 10 + (k * GrowthPhase.PageCycle / count);
            sessions.Add(await GrowthPhase.PrefillAsync(target, http, user, length - (length % 2), settings.LongReplyChars, cancellationToken));
        }

        var asked = 0;
        foreach (var id in sessions)
        {
            // Takes the first change after the pre-fill (and its full-page images) out of the measured ones.
            _ = await TurnAsync(grains.GetGrain<ISessionGrain>(id), user, new TurnRequest { Content = Conversation.Question(++asked) });
        }

        if (target.Database is { } database)
        {
            await GrowthPhase.QuietAsync(database, cancellationToken);
        }

        var wal = target.Wal;
        var operations = new Dictionary<string, Measured>(StringComparer.Ordinal);
        foreach (var id in sessions)
        {
            var session = grains.GetGrain<ISessionGrain>(id);
            var question = Conversation.Question(++asked);
            var first = await MeasureAsync(operations, "turn", wal, () => TurnAsync(session, user, new TurnRequest { Content = question }));
            var asking = first.QuestionId.ToString();
            _ = await MeasureAsync(operations, "regenerate", wal, () =>
                TurnAsync(session, user, new TurnRequest { Content = question, ClientMessageId = asking, Regenerate = true }));
            _ = await MeasureAsync(operations, "edit", wal, () =>
                TurnAsync(session, user, new TurnRequest { Content = question + " (edited)", ClientMessageId = asking }));
            _ = await MeasureAsync(operations, "switch", wal, async () =>
            {
                _ = await session.SwitchBranchAsync(user, first.ReplyId.ToString())
                    ?? throw new InvalidOperationException("The switch found no branch.");
                return first;
            });
        }

        return [.. operations.Select(kv => new BranchWriteFigure(
            kv.Key,
            kv.Value.Latencies.Count,
            LatencySummary.From(kv.Value.Latencies),
            kv.Value.Wal.Mean,
            kv.Value.Wal.ImagesMean,
            kv.Value.Wal.MedianWithoutImages))];
    }

    private static async Task<Turn> MeasureAsync(Dictionary<string, Measured> operations, string name, WalCounter? wal, Func<Task<Turn>> operation)
    {
        if (!operations.TryGetValue(name, out var measured))
        {
            operations[name] = measured = new Measured();
        }

        var before = wal is null ? (long?)null : await wal.PositionAsync();
        var began = Stopwatch.GetTimestamp();
        var turn = await operation();
        measured.Latencies.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
        await Task.Delay(Settle);
        if (wal is not null)
        {
            await measured.Wal.AddAsync(wal, before!.Value, await wal.PositionAsync());
        }

        return turn;
    }

    private static async Task<IReadOnlyList<BranchReadFigure>> MeasureReadsAsync(
        ServiceTarget target, IGrainFactory grains, BenchSettings settings, CancellationToken cancellationToken)
    {
        var user = target.SharedUser ? Guid.Empty : Guid.NewGuid();
        var linear = await LongSessionAsync(grains, user, settings.LongReplyChars, forks: false, cancellationToken);
        var branched = await LongSessionAsync(grains, user, settings.LongReplyChars, forks: true, cancellationToken);

        var repeats = settings.Quick ? 20 : 200;
        var figures = new List<BranchReadFigure>
        {
            await CompareAsync(
                "newest page",
                $"newest {PageSize} messages (GetMessagesAsync, behind GET /v1/sessions/{{id}}/messages)",
                repeats,
                async session => (await session.GetMessagesAsync(user, null, PageSize))?.Messages.Count,
                linear,
                branched,
                PageSize,
                cancellationToken),
            await CompareAsync(
                "whole active path",
                $"every message of the active path (GetActivePathAsync, behind the seed's GET /api/copilot?sessionId=)",
                settings.Quick ? 5 : 20,
                async session => (await session.GetActivePathAsync(user))?.Count,
                linear,
                branched,
                PathLength,
                cancellationToken),
        };
        return figures;
    }

    /// <summary>A session whose active path holds <see cref="PathLength"/> messages, written in blocks of
    /// <see cref="ForkEvery"/>: appended messages, then a turn; with <paramref name="forks"/>, then a regenerate of that
    /// turn (every fifth block an edit instead), so each block leaves a reply (or a question and its reply) on an inactive
    /// branch. Both kinds are written alike but for the forks, so their pages are laid out alike.</summary>
    private static async Task<ISessionGrain> LongSessionAsync(
        IGrainFactory grains, Guid user, int replyChars, bool forks, CancellationToken cancellationToken)
    {
        var session = grains.GetGrain<ISessionGrain>(Guid.NewGuid());
        await session.CreateAsync(user, PersonaRole.Field);
        var asked = 0;
        for (var block = 0; block < PathLength / ForkEvery; block++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new List<NewMessage>(ForkEvery - 2);
            for (var i = 0; i < ForkEvery - 2; i++)
            {
                var n = asked + (i / 2);
                batch.Add(i % 2 == 0
                    ? new NewMessage(MessageRole.User, Conversation.Question(n))
                    : new NewMessage(MessageRole.Assistant, Conversation.Reply(n, replyChars)));
            }

            asked += (ForkEvery - 2) / 2;
            _ = await session.AppendAsync(user, batch);
            var question = Conversation.Question(++asked);
            var turn = await TurnAsync(session, user, new TurnRequest { Content = question });
            if (!forks)
            {
                continue;
            }

            _ = await TurnAsync(session, user, block % 5 == 4
                ? new TurnRequest { Content = question + " (edited)", ClientMessageId = turn.QuestionId.ToString() }
                : new TurnRequest { Content = question, ClientMessageId = turn.QuestionId.ToString(), Regenerate = true });
        }

        return session;
    }

    private static async Task<BranchReadFigure> CompareAsync(
        string name,
        string what,
        int repeats,
        Func<ISessionGrain, Task<int?>> read,
        ISessionGrain linear,
        ISessionGrain branched,
        int expected,
        CancellationToken cancellationToken)
    {
        async Task<LatencySummary> TimeAsync(ISessionGrain session)
        {
            _ = await read(session);
            return await ClosedLoop.SequentialAsync(
                repeats,
                async _ =>
                {
                    var messages = await read(session);
                    if (messages != expected)
                    {
                        throw new InvalidOperationException($"{name}: expected {expected} messages, read {messages}.");
                    }
                },
                cancellationToken);
        }

        // Alternated, so drift in the machine's speed falls on both alike.
        var linearFirst = await TimeAsync(linear);
        var branchedFirst = await TimeAsync(branched);
        var branchedSecond = await TimeAsync(branched);
        var linearSecond = await TimeAsync(linear);
        return new BranchReadFigure(name, what, Faster(linearFirst, linearSecond), Faster(branchedFirst, branchedSecond));
    }

    private static LatencySummary Faster(LatencySummary a, LatencySummary b) => a.P50 <= b.P50 ? a : b;

    private static async Task<Turn> TurnAsync(ISessionGrain session, Guid userId, TurnRequest request)
    {
        var reply = await GrainTurnsPhase.TurnAsync(session, userId, request);
        return new Turn(reply.ParentId ?? throw new InvalidOperationException("A reply without its question."), reply.Id);
    }

    private sealed record class Turn(Guid QuestionId, Guid ReplyId);

    private sealed class Measured
    {
        public List<double> Latencies { get; } = [];

        public WalWindows Wal { get; } = new();
    }
}

/// <summary>The branching figures: bytes per write, and reads linear against branched.</summary>
internal sealed record class BranchesResult(IReadOnlyList<BranchWriteFigure> Writes, IReadOnlyList<BranchReadFigure> Reads);

/// <summary>One kind of write (a turn, a regenerate, an edit, a switch): how long, how many WAL bytes and full-page
/// image bytes on average, and the median WAL bytes of the writes that logged no full-page image (<see cref="WalWindows"/>):
/// the WAL is server-wide, and the median leaves out the writes that met a background write (membership, reminders).</summary>
internal sealed record class BranchWriteFigure(
    string Operation, int Count, LatencySummary Latency, double? WalBytes, double? WalPageImageBytes, double? WalRecordBytes);

/// <summary>One read of a long session, linear and branched.</summary>
internal sealed record class BranchReadFigure(string Name, string What, LatencySummary Linear, LatencySummary Branched)
{
    /// <summary>The branched session's p50 over the linear one's.</summary>
    public double BranchedOverLinear => Branched.P50 / Linear.P50;
}
