using System.Text.Json.Serialization;

namespace Copilot.Grains.Files;

/// <summary>A message's reference to an image stored in <c>copilot_files</c>: what a reader needs without its bytes.</summary>
/// <remarks>Part of the stored message format: add fields, never rename them.</remarks>
[GenerateSerializer, Immutable, Alias("copilot.file-ref")]
public sealed record class FileRef
{
    [Id(0)] public required Guid Id { get; init; }

    /// <summary>The stored (re-encoded) image's type, e.g. <c>image/jpeg</c>.</summary>
    [Id(1)] public required string MediaType { get; init; }

    [Id(2)] public required int Width { get; init; }

    [Id(3)] public required int Height { get; init; }

    /// <summary>The name the client gave it, if any.</summary>
    [Id(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Filename { get; init; }
}
