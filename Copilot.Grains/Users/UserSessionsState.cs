namespace Copilot.Grains.Users;

/// <summary>The persisted index of one user's live sessions.</summary>
/// <remarks>Stored format: add fields, never rename them.</remarks>
[GenerateSerializer, Alias("copilot.user-sessions-state")]
internal sealed record class UserSessionsState
{
    [Id(0)] public Guid UserId { get; set; }

    /// <summary>The sessions, in no particular order.</summary>
    [Id(1)] public List<SessionSummary> Sessions { get; set; } = [];
}
