using Copilot.Api.V1.Messages;
using Copilot.Grains.Personas;
using Copilot.Grains.Shares;

namespace Copilot.Api.V1.Shares;

/// <summary>A shared conversation as anyone with its link reads it: title, persona and the snapshot's messages, oldest
/// first, in the history's UI message shape. Nothing names the owner.</summary>
internal sealed record class SharedConversationResponse(
    string Title, string Persona, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, IReadOnlyList<UiMessage> Messages)
{
    /// <summary>The snapshot as its viewers read it, each image linked through the share (<paramref name="token"/>). Each
    /// message's <c>seq</c> is its position in the snapshot: the session's own numbers skip the versions the active path
    /// leaves out, and would tell a viewer how many there are and where.</summary>
    public static SharedConversationResponse From(SharedConversation share, string token)
    {
        ArgumentNullException.ThrowIfNull(share);
        return new(
            share.Title,
            share.Persona.ToWireName(),
            share.CreatedAt,
            share.ExpiresAt,
            [.. share.Messages.Select((m, position) => UiMessage.From(m with { Seq = position }, null, fileId => SharesApi.FilePath(token, fileId)))]);
    }
}
