namespace Copilot.Grains.Sessions.Turns;

/// <summary>How a generated reply ended: its status and the metadata to store with it.</summary>
internal sealed record class ReplyOutcome(MessageStatus Status, MessageMetadata Metadata);
