using System.Text.Json;

namespace Copilot.Tests.Fixtures.ChatModels;

/// <summary>One request as <see cref="FakeOpenAIServer"/> received it.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Authorization">The <c>Authorization</c> header, if any.</param>
/// <param name="Body">The parsed JSON body; <see cref="JsonValueKind.Undefined"/> when there was none.</param>
public sealed record class FakeOpenAIRequest(string Method, string Path, string? Authorization, JsonElement Body)
{
    /// <summary>The <c>messages</c> array as (role, text) pairs, in the order sent.</summary>
    public IReadOnlyList<(string Role, string Content)> Messages { get; } = ReadMessages(Body);

    /// <summary>The text of the last user message: the one the turn is about.</summary>
    public string LastUserContent => Messages.LastOrDefault(m => m.Role == "user").Content ?? "";

    private static List<(string Role, string Content)> ReadMessages(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("messages", out var messages))
        {
            return [];
        }

        return messages.EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString() ?? "", ReadText(m.GetProperty("content"))))
            .ToList();
    }

    /// <summary>A message's text: OpenAI accepts either a string or an array of content parts.</summary>
    private static string ReadText(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(content.EnumerateArray()
            .Where(p => p.GetProperty("type").GetString() == "text")
            .Select(p => p.GetProperty("text").GetString())),
        _ => "",
    };
}
