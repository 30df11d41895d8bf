namespace Copilot.Api.Shared;

/// <summary>What text the service can store: PostgreSQL's <c>jsonb</c> cannot hold U+0000, and a single stored NUL
/// would make the SQL views and the expiry sweep fail for every user, so such text is refused at the door.</summary>
internal static class StoredText
{
    public static bool IsStorable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return !text.Contains('\0', StringComparison.Ordinal);
    }
}
