namespace Copilot.Grains.Users;

/// <summary>A page of a user's sessions, most recently updated first.</summary>
[GenerateSerializer, Immutable, Alias("copilot.session-list-page")]
public sealed record class SessionListPage
{
    [Id(0)] public required IReadOnlyList<SessionSummary> Sessions { get; init; }

    /// <summary>Pass back to get the next page; null on the last page.</summary>
    [Id(1)] public SessionListCursor? Next { get; init; }

    /// <summary>How many sessions the user has in all.</summary>
    [Id(2)] public int Total { get; init; }
}
