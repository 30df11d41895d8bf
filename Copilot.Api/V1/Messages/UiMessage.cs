using Copilot.Api.Shared;
using Copilot.Api.V1.Feedback;
using Copilot.Grains.Feedback;
using Copilot.Grains.Sessions;

namespace Copilot.Api.V1.Messages;

/// <summary>A stored message in the AI SDK's UI message shape, so a page of them can seed <c>useChat</c>'s messages.</summary>
/// <param name="Id">The message id (for an assistant message, the <c>messageId</c> its stream's <c>start</c> carried).</param>
/// <param name="Role"><c>user</c>, <c>assistant</c> or <c>system</c>.</param>
/// <param name="Parts">The content: a text part (none when the text is empty), then a file part per image.</param>
/// <param name="Metadata">Sequence number, parent, versions, status, time, model, usage, the owner's feedback.</param>
internal sealed record class UiMessage(Guid Id, string Role, IReadOnlyList<UiMessagePart> Parts, UiMessageMetadata Metadata)
{
    /// <summary>The message with each image as a file part whose URL <paramref name="fileUrl"/> signs, and the owner's
    /// <paramref name="feedback"/> on it.</summary>
    public static UiMessage From(
        SessionMessage message, IReadOnlyList<Guid>? versions, Func<Guid, string> fileUrl, MessageFeedback? feedback = null) => new(
        message.Id,
        message.Role.ToWireName(),
        [
            .. message.Content.Length == 0 ? [] : new[] { new UiMessagePart("text", message.Content) },
            .. (message.Files ?? []).Select(f => new UiMessagePart("file")
            {
                MediaType = f.MediaType,
                Filename = f.Filename,
                Url = fileUrl(f.Id),
            }),
        ],
        UiMessageMetadata.From(message, versions) with { Feedback = feedback is null ? null : FeedbackResponse.From(feedback) });
}
