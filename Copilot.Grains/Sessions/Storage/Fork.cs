namespace Copilot.Grains.Sessions.Storage;

/// <summary>A position of the conversation with more than one version: a parent and all its children.</summary>
/// <remarks>Stored format (header and segments): add fields, never rename them.</remarks>
[GenerateSerializer, Immutable, Alias("copilot.fork")]
internal sealed record class Fork
{
    /// <summary>The parent message; <see cref="Guid.Empty"/> for the first position.</summary>
    [Id(0)] public required Guid ParentId { get; init; }

    /// <summary>Its children, in creation order.</summary>
    [Id(1)] public required IReadOnlyList<Guid> Children { get; init; }
}
