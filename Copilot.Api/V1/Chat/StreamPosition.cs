using System.Globalization;

namespace Copilot.Api.V1.Chat;

/// <summary>Where a reply's stream stands: the SSE event id of the last event sent. It holds the turn id, the reply
/// offset (in characters, as the session grain reads replies) and the phase, so any silo can resume after it.</summary>
/// <param name="TurnId">The turn (and assistant message) the stream belongs to.</param>
/// <param name="Offset">Reply characters sent so far.</param>
/// <param name="Phase">The last event sent at that offset.</param>
internal readonly record struct StreamPosition(Guid TurnId, int Offset, StreamPhase Phase) : IComparable<StreamPosition>
{
    /// <summary>Before the first event of <paramref name="turnId"/>.</summary>
    public static StreamPosition Beginning(Guid turnId) => new(turnId, 0, StreamPhase.None);

    /// <summary>Reads a <c>Last-Event-ID</c>: the position after it, the beginning when it names another turn (the one it
    /// belonged to has ended), or false when it is not an id this service sent.</summary>
    public static bool TryParse(string text, Guid turnId, out StreamPosition position)
    {
        position = Beginning(turnId);
        var parts = text.Split(':');
        if (parts.Length != 3
            || !Guid.TryParseExact(parts[0], "N", out var turn)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var phase)
            || !Enum.IsDefined((StreamPhase)phase))
        {
            return false;
        }

        if (turn == turnId)
        {
            position = new StreamPosition(turn, offset, (StreamPhase)phase);
        }

        return true;
    }

    /// <summary>Events are ordered by offset, then phase.</summary>
    public int CompareTo(StreamPosition other) =>
        Offset != other.Offset ? Offset.CompareTo(other.Offset) : Phase.CompareTo(other.Phase);

    public static bool operator >(StreamPosition left, StreamPosition right) => left.CompareTo(right) > 0;

    public static bool operator <(StreamPosition left, StreamPosition right) => left.CompareTo(right) < 0;

    public static bool operator >=(StreamPosition left, StreamPosition right) => left.CompareTo(right) >= 0;

    public static bool operator <=(StreamPosition left, StreamPosition right) => left.CompareTo(right) <= 0;

    /// <summary>The SSE event id: <c>&lt;turn id&gt;:&lt;offset&gt;:&lt;phase&gt;</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{TurnId:N}:{Offset}:{(int)Phase}");
}
