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

    /// <summary>Prompt tokens charged for the turn: the model's report, or an estimate (<see cref="UsageEstimated"/>).</summary>
    [Id(1)] public long? InputTokens { get; init; }

    /// <summary>Completion tokens charged for the turn: the model's report, or an estimate (<see cref="UsageEstimated"/>).</summary>
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

    /// <summary>True when <see cref="InputTokens"/> and <see cref="OutputTokens"/> are the service's estimate
    /// (<see cref="Usage.TokenEstimate"/>) because the model's report never came: the reply was stopped, cut at the length
    /// cap or failed, or the provider sends none. Null when they are the model's own count.</summary>
    [Id(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? UsageEstimated { get; init; }
}
