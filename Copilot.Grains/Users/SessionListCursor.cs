namespace Copilot.Grains.Users;

/// <summary>Where a session list page ends: the last row's update time and id (keyset pagination).</summary>
[GenerateSerializer, Immutable, Alias("copilot.session-list-cursor")]
public sealed record class SessionListCursor(
    [property: Id(0)] DateTimeOffset UpdatedAt,
    [property: Id(1)] Guid Id);
