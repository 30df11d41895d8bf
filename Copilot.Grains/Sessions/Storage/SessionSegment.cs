namespace Copilot.Grains.Sessions.Storage;

/// <summary>The messages of one write (a turn's user message, a reply, an append batch), stored once in a row of the
/// session's (state <c>copilotsegment</c>, key: session id + row number: the segment number modulo the header's
/// <see cref="SessionState.SegmentSlots"/>, or the segment number itself in sessions without slots).</summary>
/// <remarks>Stored format, read by the SQL views (<c>sql/0006_copilot_views_segments.sql</c>): add fields, never rename
/// them. A segment numbered below the header's <see cref="SessionState.FirstOpenSegment"/> was folded into a sealed
/// page: its row is free for a later segment and is ignored wherever it remains.</remarks>
[GenerateSerializer, Alias("copilot.session-segment")]
internal sealed record class SessionSegment
{
    [Id(0)] public Guid SessionId { get; set; }

    /// <summary>The segment number: consecutive from 0 over the session's life.</summary>
    [Id(1)] public long SegmentNumber { get; set; }

    /// <summary>The messages, oldest first, with consecutive sequence numbers.</summary>
    [Id(2)] public List<SessionMessage> Messages { get; set; } = [];

    /// <summary>On the user message that starts a turn: the turn whose reply is coming. A later segment holding the
    /// message with <see cref="InFlightTurn.TurnId"/> ends it.</summary>
    [Id(3)] public InFlightTurn? InFlight { get; set; }

    /// <summary>The fork table's entries this write changed: a regenerated reply or an edited message is a new child of
    /// a parent that already had one. Empty for every other write.</summary>
    [Id(4)] public List<Fork> Forks { get; set; } = [];
}
