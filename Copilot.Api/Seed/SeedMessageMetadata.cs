using System.Text.Json.Serialization;

namespace Copilot.Api.Seed;

/// <summary>The <c>metadata</c> of a message: position, outcome, and model details where known.</summary>
internal sealed record class SeedMessageMetadata(
    long Seq,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Model,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? InputTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? OutputTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? UsageEstimated = null);
