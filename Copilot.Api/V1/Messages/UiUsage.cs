using System.Text.Json.Serialization;
using Copilot.Grains.Sessions;

namespace Copilot.Api.V1.Messages;

/// <summary>What a reply's model call used: the tokens charged for it, and the images it was sent.</summary>
/// <param name="InputTokens">Prompt tokens (images included, as the model counts them).</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="InputImages">Images in the model's input.</param>
/// <param name="Estimated">True when the tokens are the service's estimate, the model's report never having come (a
/// stopped, cut or failed reply); absent when they are the model's own count.</param>
internal sealed record class UiUsage(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? InputTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? OutputTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? InputImages = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Estimated = null)
{
    /// <summary>The usage in <paramref name="metadata"/>, or null when there is none to tell.</summary>
    public static UiUsage? From(MessageMetadata metadata) =>
        metadata.InputTokens is null && metadata.OutputTokens is null && metadata.InputImages is null
            ? null
            : new(metadata.InputTokens, metadata.OutputTokens, metadata.InputImages, metadata.UsageEstimated);
}
