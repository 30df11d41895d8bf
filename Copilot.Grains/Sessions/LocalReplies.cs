using System.Collections.Concurrent;
using Copilot.Grains.Sessions.Turns;

namespace Copilot.Grains.Sessions;

/// <summary>The replies streaming in this silo's session activations, for their readers in the same process: a reader
/// on the silo that runs the turn waits on the turn's text in place instead of polling the session grain once per
/// write.</summary>
/// <remarks>
/// A turn is here from its start until <see cref="Linger"/> after its reply is stored (or could not be), and only for its
/// session's owner. A reader that finds nothing here (the turn runs on another silo, ended a while ago, or the session
/// belongs to someone else) polls
/// <see cref="ISessionGrain.ReadReplyAsync"/> as before, which answers from the activation or from storage and checks
/// the owner. Only reading bypasses the grain: starting, stopping and storing a turn are its calls, on its scheduler.
/// The turn's text is thread-safe already (the model's chunks are appended off the scheduler), so a read here is the
/// read the grain would make, without the two Orleans messages and the thread hand-offs they take.
/// </remarks>
public sealed class LocalReplies
{
    private readonly ConcurrentDictionary<Guid, RunningReply> _running = new();

    /// <summary>How long a reply stays here once its turn has ended: a reader between two reads when the end came reads
    /// the end in place too, instead of asking the grain for it.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(5);

    /// <summary>How many replies stream in this silo's activations now, or ended within <see cref="Linger"/>.</summary>
    public int Count => _running.Count;

    /// <summary>The reply of <paramref name="turnId"/> from <paramref name="offset"/>, read as
    /// <see cref="ISessionGrain.ReadReplyAsync"/> would; null when the turn is not running in this silo for
    /// <paramref name="userId"/>, so the caller asks the grain.</summary>
    public Task<ReplyProgress>? TryRead(Guid userId, Guid turnId, int offset, TimeSpan maxWait, TimeSpan gather = default) =>
        _running.TryGetValue(turnId, out var running) && running.OwnerId == userId
            ? running.Turn.ReadAsync(offset, TurnRunner.CapReadWait(maxWait), TurnRunner.CapReadWait(gather))
            : null;

    internal void Add(Guid ownerId, ActiveTurn turn) => _running[turn.TurnId] = new RunningReply(ownerId, turn);

    /// <summary>The turn's reply has ended: it leaves after <see cref="Linger"/>, unless it left already.</summary>
    internal void Retire(ActiveTurn turn)
    {
        if (_running.TryGetValue(turn.TurnId, out var running) && running.Turn == turn)
        {
            _ = Task.Delay(Linger).ContinueWith(
                _ => _running.TryRemove(new KeyValuePair<Guid, RunningReply>(turn.TurnId, running)),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
    }

    /// <summary>The turn's session is gone: its reply leaves now, and its readers ask the grain, which says so.</summary>
    internal void Remove(ActiveTurn turn) => _running.TryRemove(turn.TurnId, out _);

    private sealed record RunningReply(Guid OwnerId, ActiveTurn Turn);
}
