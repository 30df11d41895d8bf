using Copilot.Grains.Personas;

namespace Copilot.Api.V1.Chat;

/// <summary>A validated <c>POST /v1/chat</c>: the last user message of the body, which is all the server uses.</summary>
/// <param name="ChatId">The chat (session) id.</param>
/// <param name="MessageId">The user message's id: the idempotency key.</param>
/// <param name="Text">The message's text parts, joined.</param>
/// <param name="Persona">The persona asked for, or null.</param>
/// <param name="Files">The message's file parts, in order (readable while the body's document lives).</param>
/// <param name="Regenerate">The trigger is <c>regenerate-message</c>: a new reply to that user message.</param>
/// <param name="AfterMessageId">The id of the message before it in <c>messages</c>, when there is one.</param>
internal sealed record class ChatSend(
    Guid ChatId,
    string MessageId,
    string Text,
    PersonaRole? Persona,
    IReadOnlyList<ChatFilePart> Files,
    bool Regenerate = false,
    string? AfterMessageId = null);
