namespace Copilot.Grains.Sessions.Storage;

/// <summary>The last message of the active path.</summary>
/// <remarks>Stored format (the header): add fields, never rename them.</remarks>
[GenerateSerializer, Immutable, Alias("copilot.active-leaf")]
internal sealed record class ActiveLeaf
{
    [Id(0)] public required Guid MessageId { get; init; }

    [Id(1)] public required long Seq { get; init; }

    /// <summary>The segment that made it the leaf: segments numbered from this one on move the leaf to their last message
    /// (this one sets it again). A switch sets it to the next segment's number, so every later write moves the leaf.</summary>
    [Id(2)] public required long FromSegment { get; init; }
}
