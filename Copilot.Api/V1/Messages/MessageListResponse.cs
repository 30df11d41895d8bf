using System.Text.Json.Serialization;

namespace Copilot.Api.V1.Messages;

/// <summary>A page of a session's messages, newest first.</summary>
/// <param name="Data">The messages, newest first (reverse them to seed a chat, which lists oldest first).</param>
/// <param name="HasMore">Whether older messages exist.</param>
/// <param name="NextBefore">Pass as <c>before</c> to get the next, older page; absent on the last page.</param>
/// <param name="NextAfter">Pass as <c>after</c> to get the newer messages that follow (a page read <c>around</c> a
/// message or <c>after</c> one); absent when the page ends at the newest message.</param>
internal sealed record class MessageListResponse(
    IReadOnlyList<UiMessage> Data,
    bool HasMore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? NextBefore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? NextAfter = null);
