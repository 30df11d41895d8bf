using System.Text.Json;

namespace Copilot.Chaos.Checking;

/// <summary>A session's messages as the API returns them to its owner at the end of the run.</summary>
internal sealed record class StoredSession(Guid Id, Guid OwnerId, IReadOnlyList<JsonElement> Messages)
{
    /// <summary>The positions of the user messages with text <paramref name="text"/>.</summary>
    public IReadOnlyList<int> PositionsOf(string text) =>
        [.. Messages.Select((m, i) => (m, i)).Where(x => Role(x.m) == "user" && Content(x.m) == text).Select(x => x.i)];

    /// <summary>The message's id.</summary>
    public static Guid MessageId(JsonElement message) => message.GetProperty("id").GetGuid();

    /// <summary>The message's role.</summary>
    public static string? Role(JsonElement message) => message.GetProperty("role").GetString();

    /// <summary>The message's text.</summary>
    public static string? Content(JsonElement message) => message.GetProperty("content").GetString();

    /// <summary>The message's status.</summary>
    public static string? Status(JsonElement message) => message.GetProperty("metadata").GetProperty("status").GetString();

    /// <summary>When the message was stored (for a user message: after its send was admitted, before its reply began).</summary>
    public static DateTimeOffset CreatedAt(JsonElement message) => message.GetProperty("created_at").GetDateTimeOffset();

    /// <summary>The message's sequence number.</summary>
    public static long Seq(JsonElement message) => message.GetProperty("metadata").GetProperty("seq").GetInt64();
}
