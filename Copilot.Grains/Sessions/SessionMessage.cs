using System.Text.Json.Serialization;
using Copilot.Grains.Files;

namespace Copilot.Grains.Sessions;

/// <summary>One message of a conversation, as stored and as returned to callers.</summary>
/// <remarks>The JSON shape is a stored format (see <c>sql/0005_copilot_views.sql</c>): add fields, never rename them.</remarks>
[GenerateSerializer, Immutable, Alias("copilot.session-message")]
public sealed record class SessionMessage
{
    [Id(0)] public required Guid Id { get; init; }

    /// <summary>Position in the session: 0, 1, 2, ... with no gaps.</summary>
    [Id(1)] public required long Seq { get; init; }

    [Id(2)] public required MessageRole Role { get; init; }

    [Id(3)] public required string Content { get; init; }

    /// <summary>When it was written (UTC).</summary>
    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }

    [Id(5)] public MessageStatus Status { get; init; } = MessageStatus.Complete;

    /// <summary>Model, usage and error details where known.</summary>
    [Id(6)] public MessageMetadata Metadata { get; init; } = MessageMetadata.None;

    /// <summary>The message this one answers or follows: <see cref="Guid.Empty"/> for a first message. Absent (null) in
    /// rows written before the conversation had branches: there the parent is the previous message by <see cref="Seq"/>.
    /// Messages returned by the session's reads always carry it resolved.</summary>
    [Id(7)] public Guid? ParentId { get; init; }

    /// <summary>The images sent with a user message, by reference (their bytes are in <c>copilot_files</c>); null when none.</summary>
    [Id(9), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<FileRef>? Files { get; init; }
}
