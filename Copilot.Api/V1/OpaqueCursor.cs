using System.Buffers.Text;
using System.Text;

namespace Copilot.Api.V1;

/// <summary>The wire form of every <c>/v1</c> keyset cursor: dot-separated ASCII parts, base64url-encoded, so clients
/// cannot come to depend on its contents.</summary>
internal static class OpaqueCursor
{
    public static string Encode(string parts) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(parts));

    /// <summary>The <paramref name="count"/> parts of a cursor made by <see cref="Encode"/>; false for anything else.</summary>
    public static bool TryDecode(string text, int count, out string[] parts)
    {
        ArgumentNullException.ThrowIfNull(text);
        parts = [];
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        parts = Encoding.ASCII.GetString(bytes).Split('.');
        return parts.Length == count;
    }
}
