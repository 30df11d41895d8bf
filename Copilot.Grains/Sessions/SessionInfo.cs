using Copilot.Grains.Personas;

namespace Copilot.Grains.Sessions;

/// <summary>What a caller may know about a session: its header, without messages.</summary>
[GenerateSerializer, Immutable, Alias("copilot.session-info")]
public sealed record class SessionInfo
{
    [Id(0)] public required Guid Id { get; init; }

    [Id(1)] public required Guid OwnerId { get; init; }

    [Id(2)] public required PersonaRole Role { get; init; }

    [Id(3)] public required string Title { get; init; }

    /// <summary>Created (UTC).</summary>
    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last message added (UTC).</summary>
    [Id(5)] public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>How many messages it holds.</summary>
    [Id(6)] public required long MessageCount { get; init; }

    /// <summary>Whether a reply is being generated right now.</summary>
    [Id(7)] public required bool TurnInFlight { get; init; }

    /// <summary>The turn being generated right now (its id is also the assistant message's id), if any.</summary>
    [Id(8)] public Guid? InFlightTurnId { get; init; }
}
