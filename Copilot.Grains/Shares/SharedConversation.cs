using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;

namespace Copilot.Grains.Shares;

/// <summary>A row of the shares table: a snapshot of a conversation's active path, immutable once written.</summary>
/// <param name="Id">The token's SHA-256 (<see cref="ShareTokens.IdOf"/>).</param>
/// <param name="SessionId">The session it was taken from.</param>
/// <param name="OwnerId">The session's owner; never shown to viewers.</param>
/// <param name="CreatedAt">When the snapshot was taken.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
/// <param name="Title">The session's title then.</param>
/// <param name="Persona">The session's persona.</param>
/// <param name="Messages">The active path when the share was made, oldest first, without the client's message ids.</param>
public sealed record class SharedConversation(
    string Id,
    Guid SessionId,
    Guid OwnerId,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string Title,
    PersonaRole Persona,
    IReadOnlyList<SessionMessage> Messages);
