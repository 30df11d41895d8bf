namespace Copilot.Grains.Sessions;

/// <summary>The answer to a send: the user message is stored and a reply is being generated.</summary>
[GenerateSerializer, Immutable, Alias("copilot.turn-started")]
public sealed record class TurnStarted
{
    [Id(0)] public required SessionInfo Session { get; init; }

    /// <summary>The turn id; also the id of the assistant message it produces.</summary>
    [Id(1)] public required Guid TurnId { get; init; }

    [Id(2)] public required SessionMessage UserMessage { get; init; }

    /// <summary>True when this call created the session.</summary>
    [Id(3)] public bool Created { get; init; }

    /// <summary>True when the client message id matched an earlier send: nothing new was stored.</summary>
    [Id(4)] public bool Replayed { get; init; }
}
