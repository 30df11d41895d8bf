using System.Text.Json.Serialization;
using Copilot.Grains.Sessions;

namespace Copilot.Api.V1.Messages;

/// <summary>What a reply's model call used: the tokens the model reported, and the images it was sent.</summary>
/// <param name="InputTokens">Prompt tokens (images included, as the model counts them).</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="InputImages">Images in the model's input.</param>
internal sealed record class UiUsage(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? InputTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? OutputTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? InputImages = null)
{
    /// <summary>The usage in <paramref name="metadata"/>, or null when there is none to tell.</summary>
    public static UiUsage? From(MessageMetadata metadata) =>
        metadata.InputTokens is null && metadata.OutputTokens is null && metadata.InputImages is null
            ? null
            : new(metadata.InputTokens, metadata.OutputTokens, metadata.InputImages);
}
