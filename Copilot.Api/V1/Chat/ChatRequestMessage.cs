using Copilot.Api.V1.Messages;

namespace Copilot.Api.V1.Chat;

/// <summary>A UI message in a <c>POST /v1/chat</c> body.</summary>
/// <param name="Id">The message id: the idempotency key; a retry with the same id never calls the model again.</param>
/// <param name="Role"><c>user</c> for the message that is used.</param>
/// <param name="Parts">Its parts; the text parts are joined.</param>
internal sealed record class ChatRequestMessage(string Id, string Role, IReadOnlyList<UiMessagePart> Parts);
