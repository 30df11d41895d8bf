using System.Globalization;
using Copilot.Grains.Users;

namespace Copilot.Api.V1.Sessions;

/// <summary>The opaque <c>after</c> cursor of the session list: the last row's update time and id.</summary>
internal static class SessionCursor
{
    public static string Encode(SessionListCursor cursor) =>
        OpaqueCursor.Encode(string.Create(CultureInfo.InvariantCulture, $"{cursor.UpdatedAt.UtcTicks}.{cursor.Id:N}"));

    /// <summary>Reads a cursor made by <see cref="Encode"/>; false for anything else.</summary>
    public static bool TryDecode(string text, out SessionListCursor? cursor)
    {
        cursor = null;
        if (!OpaqueCursor.TryDecode(text, 2, out var parts)
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(parts[1], "N", out var id))
        {
            return false;
        }

        cursor = new SessionListCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}
