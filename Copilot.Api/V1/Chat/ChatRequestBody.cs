using System.Text.Json.Serialization;

namespace Copilot.Api.V1.Chat;

/// <summary>The body of <c>POST /v1/chat</c>, for the OpenAPI document (the route reads and validates it by hand).</summary>
/// <param name="Id">The chat id: a UUID the client generates; the session is created on first use.</param>
/// <param name="Messages">The chat's messages as <c>DefaultChatTransport</c> sends them; the last user message is used, and
/// the id of the message before it.</param>
/// <param name="Message">Instead of <c>messages</c>: only the last user message.</param>
/// <param name="Trigger"><c>submit-message</c>, or <c>regenerate-message</c>: a new reply to the last user message.</param>
/// <param name="MessageId">Sent by the transport with some triggers; not used.</param>
/// <param name="Persona"><c>field</c>, <c>pm</c> or <c>exec</c>, for a new session; must match an existing session's.</param>
internal sealed record class ChatRequestBody(
    Guid Id,
    IReadOnlyList<ChatRequestMessage>? Messages,
    ChatRequestMessage? Message,
    string? Trigger,
    [property: JsonPropertyName("messageId")] string? MessageId,
    string? Persona);
