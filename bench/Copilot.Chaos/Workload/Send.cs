namespace Copilot.Chaos.Workload;

/// <summary>One entry of the ledger: a message a user sent, and what the service answered.</summary>
internal sealed record class Send
{
    public required Guid UserId { get; init; }

    /// <summary>The user's n-th send, from 0.</summary>
    public required int Number { get; init; }

    /// <summary>The message, unique in the run but to its retries (<see cref="Attempt"/>), which send it again.</summary>
    public required string Message { get; init; }

    /// <summary>0 for a message's first send; 1, 2, ... for the same text sent again after a 502 or a 503, as the
    /// panel's user does when told to try again.</summary>
    public int Attempt { get; init; }

    /// <summary>The session the send named, or null for a new one.</summary>
    public required Guid? SessionId { get; init; }

    /// <summary>Why it was sent.</summary>
    public SendKind Kind { get; init; }

    /// <summary>The silo it went to.</summary>
    public required int Silo { get; init; }

    /// <summary>When it was sent.</summary>
    public required DateTime StartedAt { get; init; }

    /// <summary>When the answer ended.</summary>
    public DateTime EndedAt { get; init; }

    /// <summary>How it ended.</summary>
    public SendOutcome Outcome { get; init; }

    /// <summary>The HTTP status, when there was an answer.</summary>
    public int? Status { get; init; }

    /// <summary>The error code of a JSON error answer.</summary>
    public string? Code { get; init; }

    /// <summary>The detail of a JSON error answer: which limit refused a 429, say.</summary>
    public string? Detail { get; init; }

    /// <summary>The session the answer named (<c>X-Session-Id</c>).</summary>
    public Guid? AnsweredSessionId { get; init; }

    /// <summary>The reply text the client saw, without the cut-short note and the marker (for an abandoned send, the
    /// chunks read before leaving).</summary>
    public string? Reply { get; init; }

    /// <summary>The code of a "(The reply was cut short: code.)" note, when the stream carried one.</summary>
    public string? CutShort { get; init; }

    /// <summary>A short description of a failure without an HTTP answer.</summary>
    public string? Error { get; init; }
}
