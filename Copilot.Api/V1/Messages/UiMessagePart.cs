using System.Text.Json.Serialization;

namespace Copilot.Api.V1.Messages;

/// <summary>One part of a UI message: a text part, or an image as the AI SDK's file part.</summary>
/// <param name="Type"><c>text</c> or <c>file</c>.</param>
/// <param name="Text">A text part's text.</param>
internal sealed record class UiMessagePart(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null)
{
    /// <summary>A file part's type, e.g. <c>image/jpeg</c> (named as the AI SDK names it).</summary>
    [JsonPropertyName("mediaType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MediaType { get; init; }

    /// <summary>A file part's name, if the client gave one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Filename { get; init; }

    /// <summary>A file part's URL: in a request a <c>data:</c> URL or a link to an uploaded file; in history a signed,
    /// expiring link to this service that works in an <c>&lt;img src&gt;</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }
}
