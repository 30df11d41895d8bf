using System.Text.Json;

namespace Copilot.Api.V1.Shares;

/// <summary>The body of <c>POST /v1/sessions/{id}/shares</c>; the body may be empty.</summary>
/// <param name="ExpiresInDays">Days the link works: 1 to <see cref="MaxDays"/>, default <see cref="DefaultDays"/>.</param>
internal sealed record class CreateShareRequest(int? ExpiresInDays)
{
    public const int DefaultDays = 30;

    public const int MaxDays = 365;

    /// <summary>The lifetime asked for, or null when the body is not a valid request.</summary>
    public static int? ReadDays(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (!root.TryGetProperty("expires_in_days", out var days) || days.ValueKind == JsonValueKind.Null)
        {
            return DefaultDays;
        }

        return days.ValueKind == JsonValueKind.Number && days.TryGetInt32(out var value) && value is >= 1 and <= MaxDays ? value : null;
    }
}
