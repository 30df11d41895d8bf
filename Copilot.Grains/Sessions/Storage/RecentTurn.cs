namespace Copilot.Grains.Sessions.Storage;

/// <summary>A finished or running turn remembered by its client message id, so a retried send is answered, not repeated.</summary>
[GenerateSerializer, Immutable, Alias("copilot.recent-turn")]
internal sealed record class RecentTurn
{
    [Id(0)] public required string ClientMessageId { get; init; }

    [Id(1)] public required Guid TurnId { get; init; }

    /// <summary>The user message the key produced.</summary>
    [Id(2)] public required Guid UserMessageId { get; init; }

    /// <summary>The sequence number of that user message.</summary>
    [Id(3)] public required long UserMessageSeq { get; init; }

    /// <summary>The sequence number of the stored reply, once stored (absent in rows of older releases).</summary>
    [Id(4)] public long? ReplySeq { get; init; }
}
