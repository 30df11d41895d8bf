using System.Collections.Concurrent;
using Copilot.Grains.Sessions.Turns;

namespace Copilot.Grains.Sessions;

/// <summary>The replies streaming in this silo's session activations, for their readers in the same process: a reader
/// on the silo that runs the turn waits on the turn's text in place instead of polling the session grain once per
/// write.</summary>
/// <remarks>
/// A turn is here from its start until its reply is stored (or could not be), and only for its session's owner. A reader
/// that finds nothing here (the turn runs on another silo, has ended, or the session belongs to someone else) polls
/// <see cref="ISessionGrain.ReadReplyAsync"/> as before, which answers from the activation or from storage and checks
/// the owner. Only reading bypasses the grain: starting, stopping and storing a turn are its calls, on its scheduler.
/// The turn's text is thread-safe already (the model's chunks are appended off the scheduler), so a read here is the
/// read the grain would make, without the two Orleans messages and the thread hand-offs they take.
/// </remarks>
public sealed class LocalReplies
{
    private readonly ConcurrentDictionary<Guid, RunningReply> _running = new();

    /// <summary>How many replies stream in this silo's activations now.</summary>
    public int Count => _running.Count;

    /// <summary>The reply of <paramref name="turnId"/> from <paramref name="offset"/>, read as
    /// <see cref="ISessionGrain.ReadReplyAsync"/> would; null when the turn is not running in this silo for
    /// <paramref name="userId"/>, so the caller asks the grain.</summary>
    public Task<ReplyProgress>? TryRead(Guid userId, Guid turnId, int offset, TimeSpan maxWait, TimeSpan gather = default) =>
        _running.TryGetValue(turnId, out var running) && running.OwnerId == userId
            ? running.Turn.ReadAsync(offset, TurnRunner.CapReadWait(maxWait), TurnRunner.CapReadWait(gather))
            : null;

    internal void Add(Guid ownerId, ActiveTurn turn) => _running[turn.TurnId] = new RunningReply(ownerId, turn);

    internal void Remove(ActiveTurn turn) => _running.TryRemove(turn.TurnId, out _);

    private sealed record RunningReply(Guid OwnerId, ActiveTurn Turn);
}
