using System.Text.Json.Serialization;

namespace Copilot.Api.Errors;

/// <summary>The error body of the seed-compatible API: <c>{"error": "..."}</c>, plus a machine-readable code where useful.</summary>
/// <param name="Error">What is wrong, for a person.</param>
/// <param name="Code">A stable code for programs (e.g. <c>turn_in_flight</c>), when there is one.</param>
internal sealed record class ApiError(
    string Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null);
