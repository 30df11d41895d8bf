using System.Text.Json.Serialization;
using Copilot.Grains.Sessions;

namespace Copilot.Api.V1.Messages;

/// <summary>Token usage the model reported for a reply.</summary>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
internal sealed record class UiUsage(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? InputTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? OutputTokens)
{
    /// <summary>The usage in <paramref name="metadata"/>, or null when the model reported none.</summary>
    public static UiUsage? From(MessageMetadata metadata) =>
        metadata.InputTokens is null && metadata.OutputTokens is null ? null : new(metadata.InputTokens, metadata.OutputTokens);
}
