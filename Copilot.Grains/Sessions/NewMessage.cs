namespace Copilot.Grains.Sessions;

/// <summary>A message to append; the session assigns its id, sequence number and time.</summary>
[GenerateSerializer, Immutable, Alias("copilot.new-message")]
public sealed record class NewMessage(
    [property: Id(0)] MessageRole Role,
    [property: Id(1)] string Content)
{
    /// <summary>How it ended; <see cref="MessageStatus.Complete"/> unless said otherwise.</summary>
    [Id(2)] public MessageStatus Status { get; init; } = MessageStatus.Complete;

    [Id(3)] public MessageMetadata Metadata { get; init; } = MessageMetadata.None;
}
