using System.Text.Json;

namespace Copilot.Tests.Api.V1;

/// <summary>One server-sent event of a UI message stream.</summary>
/// <param name="Id">Its SSE id.</param>
/// <param name="Data">Its data: a JSON chunk, or <c>[DONE]</c>.</param>
public sealed record class SseEvent(string? Id, string Data)
{
    /// <summary>True for the closing <c>[DONE]</c>.</summary>
    public bool IsDone => Data == "[DONE]";

    public JsonElement Json => JsonDocument.Parse(Data).RootElement;

    /// <summary>The chunk's type, or <c>[DONE]</c>.</summary>
    public string Type => IsDone ? Data : Json.GetProperty("type").GetString()!;
}
