namespace Copilot.Chaos.Workload;

/// <summary>One round of anonymous admin posts with large bodies to one silo, and that silo's memory around it.</summary>
internal sealed record class AdminPost
{
    public required int Silo { get; init; }

    public required DateTime StartedAt { get; init; }

    public DateTime EndedAt { get; init; }

    /// <summary>Each post's status and error code, or null status and what went wrong when there was no answer.</summary>
    public IReadOnlyList<(int? Status, string? Code, string? Error)> Answers { get; init; } = [];

    /// <summary>The body bytes the round's posts announced (posts times body size); a server that read each body before
    /// answering got them all.</summary>
    public long BytesPosted { get; init; }

    /// <summary>The growth of the silo's resident memory over the round; null when the process changed meanwhile (a
    /// fault restarted it) or <c>/proc</c> could not be read.</summary>
    public long? Growth { get; init; }
}
