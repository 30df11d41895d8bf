namespace Copilot.Grains.Sessions;

/// <summary>A page of messages, newest first, with the cursor for the next (older) page.</summary>
[GenerateSerializer, Immutable, Alias("copilot.message-page")]
public sealed record class MessagePage
{
    /// <summary>The messages, newest first.</summary>
    [Id(0)] public required IReadOnlyList<SessionMessage> Messages { get; init; }

    /// <summary>Pass as <c>beforeSeq</c> to get older messages; null when there are none.</summary>
    [Id(1)] public long? NextBeforeSeq { get; init; }
}
