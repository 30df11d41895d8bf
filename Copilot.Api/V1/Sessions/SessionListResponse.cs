using System.Text.Json.Serialization;

namespace Copilot.Api.V1.Sessions;

/// <summary>A page of the caller's sessions, most recently updated first.</summary>
/// <param name="Data">The sessions.</param>
/// <param name="HasMore">Whether more sessions follow.</param>
/// <param name="NextCursor">Pass as <c>after</c> to get the next page; absent on the last page.</param>
internal sealed record class SessionListResponse(
    IReadOnlyList<SessionResponse> Data,
    bool HasMore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor);
