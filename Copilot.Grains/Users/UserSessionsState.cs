namespace Copilot.Grains.Users;

/// <summary>A user's session list as earlier releases stored it: one Orleans state row holding the whole list.</summary>
/// <remarks>Read only to move a list into <see cref="IUserSessionStore"/>, after which the row is deleted. Stored
/// format: add fields, never rename them.</remarks>
[GenerateSerializer, Alias("copilot.user-sessions-state")]
internal sealed record class UserSessionsState
{
    [Id(0)] public Guid UserId { get; set; }

    /// <summary>The sessions, in no particular order.</summary>
    [Id(1)] public List<SessionSummary> Sessions { get; set; } = [];
}
