using System.Text.Json.Serialization;

namespace Copilot.Grains.Sessions;

/// <summary>What is known about how a message was produced. Every field is optional.</summary>
[GenerateSerializer, Immutable, Alias("copilot.message-metadata")]
public sealed record class MessageMetadata
{
    /// <summary>An empty metadata value, shared.</summary>
    public static MessageMetadata None { get; } = new();

    /// <summary>The model that wrote an assistant message.</summary>
    [Id(0)] public string? Model { get; init; }

    /// <summary>Prompt tokens the model reported for the turn.</summary>
    [Id(1)] public long? InputTokens { get; init; }

    /// <summary>Completion tokens the model reported for the turn.</summary>
    [Id(2)] public long? OutputTokens { get; init; }

    /// <summary>Why a reply failed, e.g. <c>model_unavailable</c>.</summary>
    [Id(3)] public string? ErrorCode { get; init; }

    /// <summary>The client's id for the user message, used to make retries idempotent.</summary>
    [Id(4)] public string? ClientMessageId { get; init; }

    /// <summary>Images the model received in its input for the turn (the question's and earlier ones within the
    /// context's image budget); null when none. The model's own count of what they cost is in
    /// <see cref="InputTokens"/>.</summary>
    [Id(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? InputImages { get; init; }
}
