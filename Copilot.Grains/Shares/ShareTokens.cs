using System.Security.Cryptography;
using System.Text;

namespace Copilot.Grains.Shares;

/// <summary>Share tokens: 256 random bits in base64url, stored only as their SHA-256 (the share's id).</summary>
/// <remarks>The id is what the owner lists and revokes by; it is useless as a link, so a leaked table or list gives
/// nobody a working link.</remarks>
public static class ShareTokens
{
    /// <summary>Random bytes in a token.</summary>
    public const int TokenBytes = 32;

    /// <summary>A new token (43 base64url characters).</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(TokenBytes));

    /// <summary>The share id of <paramref name="token"/>: the base64url SHA-256 of its characters.</summary>
    public static string IdOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>Whether <paramref name="text"/> has the shape of a token or id (43 base64url characters); anything else
    /// names no share and is answered without a look-up.</summary>
    public static bool IsWellFormed(string? text) =>
        text is { Length: 43 } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
