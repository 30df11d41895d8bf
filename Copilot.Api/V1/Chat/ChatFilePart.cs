using System.Text.Json;

namespace Copilot.Api.V1.Chat;

/// <summary>An AI SDK file part of the sent message, <c>{type: "file", mediaType, filename?, url}</c>, not yet resolved.</summary>
/// <param name="Path">Its JSON path, for errors.</param>
/// <param name="MediaType">The type the client declared.</param>
/// <param name="Filename">The name the client gave, if any.</param>
/// <param name="Url">The <c>url</c> string element: a <c>data:</c> URL or a link to an uploaded file. It belongs to the
/// request body's document and is readable only while that lives, so a data URL's bytes are never copied into a string.</param>
internal sealed record class ChatFilePart(string Path, string MediaType, string? Filename, JsonElement Url);
