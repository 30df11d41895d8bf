using Copilot.Grains.Files;
using Copilot.Grains.Personas;

namespace Copilot.Grains.Sessions;

/// <summary>A user message that starts a turn.</summary>
[GenerateSerializer, Immutable, Alias("copilot.turn-request")]
public sealed record class TurnRequest
{
    [Id(0)] public required string Content { get; init; }

    /// <summary>The persona asked for; null keeps the session's (or the default for a new one).</summary>
    [Id(1)] public PersonaRole? Role { get; init; }

    /// <summary>The client's id for this message: a retry with the same id returns the same turn.</summary>
    [Id(2)] public string? ClientMessageId { get; init; }

    /// <summary>Create the session when it does not exist (for a session id the caller just made up).</summary>
    [Id(3)] public bool CreateIfMissing { get; init; }

    /// <summary>Asks for a new reply to the message <see cref="ClientMessageId"/> names, next to its earlier replies.</summary>
    [Id(4)] public bool Regenerate { get; init; }

    /// <summary>The id (stored or client) of the message the client shows before this one: when it is the active leaf,
    /// the message is new and no lookup is needed.</summary>
    [Id(5)] public string? AfterMessageId { get; init; }

    /// <summary>The user's stream slot admitted for this send (<see cref="Usage.IUserLimitsGrain"/>): a turn started by
    /// the request holds it until the turn ends; null when no limits apply.</summary>
    [Id(6)] public Guid? StreamSlot { get; init; }

    /// <summary>The images sent with the message, already stored and attached to this session; null when none.</summary>
    [Id(7)] public IReadOnlyList<FileRef>? Files { get; init; }

    /// <summary>For a client that sends no message ids (the seed's panel): the same text as the active leaf's question,
    /// whose reply left nothing (it failed, or was interrupted before its first text), is that question asked again, as
    /// the error told the user to: a new reply to it, not a second copy that the model would read twice.</summary>
    [Id(8)] public bool RetryUnanswered { get; init; }

    /// <summary>With <see cref="RetryUnanswered"/>: start the turn only when it is such a retry; anything else is refused
    /// as <see cref="SessionNotFoundException"/>, and the session is not touched.</summary>
    [Id(9)] public bool RetryOnly { get; init; }
}
