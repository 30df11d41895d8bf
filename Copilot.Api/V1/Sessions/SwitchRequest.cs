using System.Text.Json;
using Copilot.Api.V1.Chat;
using Copilot.Grains;

namespace Copilot.Api.V1.Sessions;

/// <summary>The body of <c>PUT /v1/sessions/{id}/active</c>.</summary>
/// <param name="MessageId">A message of the session, by its id or the id the client gave it: the path through it becomes
/// active, below it the newest version at each step.</param>
internal sealed record class SwitchRequest(string MessageId)
{
    /// <summary>The body's <c>message_id</c>, or null when it is missing or not a usable id.</summary>
    public static string? ReadMessageId(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object &&
        root.TryGetProperty("message_id", out var id) &&
        id.ValueKind == JsonValueKind.String &&
        id.GetString() is { Length: > 0 and <= ChatSendReader.MaxMessageIdChars } value && StoredText.IsStorable(value)
            ? value
            : null;
}
