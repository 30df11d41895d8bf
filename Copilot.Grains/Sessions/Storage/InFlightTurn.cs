namespace Copilot.Grains.Sessions.Storage;

/// <summary>The persisted marker of a turn whose reply is being generated.</summary>
/// <remarks>Written together with the user message, before the model is called, so that an activation that finds it
/// knows the previous one died mid-turn.</remarks>
[GenerateSerializer, Immutable, Alias("copilot.in-flight-turn")]
internal sealed record class InFlightTurn
{
    /// <summary>The turn id (also the id the assistant message will get).</summary>
    [Id(0)] public required Guid TurnId { get; init; }

    [Id(1)] public required Guid UserMessageId { get; init; }

    [Id(2)] public required DateTimeOffset StartedAt { get; init; }

    [Id(3)] public string? Model { get; init; }
}
