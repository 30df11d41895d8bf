using System.Globalization;

namespace Copilot.Api.V1.Search;

/// <summary>Where a page of search hits ended: the last hit's rank, time and ids, in the order hits are listed (best
/// rank, then newest, then by id); opaque on the wire (<c>next_cursor</c>).</summary>
public sealed record class SearchCursor(float Rank, DateTimeOffset CreatedAt, Guid SessionId, Guid MessageId)
{
    public string Encode() => OpaqueCursor.Encode(string.Create(
        CultureInfo.InvariantCulture,
        $"{BitConverter.SingleToInt32Bits(Rank)}.{CreatedAt.UtcTicks}.{SessionId:N}.{MessageId:N}"));

    /// <summary>Reads a cursor made by <see cref="Encode"/>; false for anything else.</summary>
    public static bool TryDecode(string text, out SearchCursor? cursor)
    {
        cursor = null;
        if (!OpaqueCursor.TryDecode(text, 4, out var parts)
            || !int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var rankBits)
            || !float.IsFinite(BitConverter.Int32BitsToSingle(rankBits))
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(parts[2], "N", out var sessionId)
            || !Guid.TryParseExact(parts[3], "N", out var messageId))
        {
            return false;
        }

        cursor = new SearchCursor(BitConverter.Int32BitsToSingle(rankBits), new DateTimeOffset(ticks, TimeSpan.Zero), sessionId, messageId);
        return true;
    }
}
