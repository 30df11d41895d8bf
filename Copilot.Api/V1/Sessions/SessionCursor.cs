using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Copilot.Grains.Users;

namespace Copilot.Api.V1.Sessions;

/// <summary>The opaque <c>after</c> cursor of the session list: the last row's update time and id, base64url-encoded, so
/// clients cannot come to depend on its contents.</summary>
internal static class SessionCursor
{
    public static string Encode(SessionListCursor cursor) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{cursor.UpdatedAt.UtcTicks}.{cursor.Id:N}")));

    /// <summary>Reads a cursor made by <see cref="Encode"/>; false for anything else.</summary>
    public static bool TryDecode(string text, out SessionListCursor? cursor)
    {
        cursor = null;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split('.');
        if (parts.Length != 2
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
