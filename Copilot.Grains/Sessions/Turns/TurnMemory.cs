using Copilot.Grains.Sessions.Storage;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>The idempotency memory: the latest turns by client message id, so a retried send is answered, not
/// repeated, and its reply is found at any distance.</summary>
internal sealed class TurnMemory(int capacity)
{
    private readonly List<RecentTurn> _turns = [];

    /// <summary>The remembered turns, oldest first (what the header stores).</summary>
    public List<RecentTurn> Snapshot() => [.. _turns];

    public void Load(IEnumerable<RecentTurn> turns)
    {
        _turns.Clear();
        foreach (var turn in turns)
        {
            Remember(turn);
        }
    }

    public RecentTurn? Find(string clientMessageId) => _turns.Find(t => t.ClientMessageId == clientMessageId);

    public RecentTurn? FindTurn(Guid turnId) => _turns.Find(t => t.TurnId == turnId);

    public void Remember(RecentTurn turn)
    {
        _turns.RemoveAll(t => t.ClientMessageId == turn.ClientMessageId);
        _turns.Add(turn);
        if (_turns.Count > capacity)
        {
            _turns.RemoveRange(0, _turns.Count - capacity);
        }
    }

    /// <summary>Learns from a stored segment: a turn started with a client message id, or a remembered turn's reply.</summary>
    public void Observe(SessionSegment segment)
    {
        if (segment.InFlight is { } marker &&
            segment.Messages.Find(m => m.Id == marker.UserMessageId) is { Metadata.ClientMessageId: { } clientId } user)
        {
            Remember(new RecentTurn
            {
                ClientMessageId = clientId,
                TurnId = marker.TurnId,
                UserMessageId = user.Id,
                UserMessageSeq = user.Seq,
            });
        }
        else if (segment.InFlight is { } again && _turns.FindIndex(t => t.UserMessageId == again.UserMessageId) is var index and >= 0)
        {
            // A new reply to a remembered message (regenerated, or retried after a failure): a retry now finds this one.
            _turns[index] = _turns[index] with { TurnId = again.TurnId, ReplySeq = null };
        }

        foreach (var message in segment.Messages)
        {
            var reply = _turns.FindIndex(t => t.TurnId == message.Id);
            if (reply >= 0)
            {
                _turns[reply] = _turns[reply] with { ReplySeq = message.Seq };
            }
        }
    }
}
