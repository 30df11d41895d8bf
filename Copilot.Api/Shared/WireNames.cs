using Copilot.Grains.Sessions;

namespace Copilot.Api.Shared;

/// <summary>The wire names of the stored enums: lower case, one name each.</summary>
internal static class WireNames
{
    /// <summary><c>user</c>, <c>assistant</c> or <c>system</c>.</summary>
    public static string ToWireName(this MessageRole role) => role.ToString().ToLowerInvariant();

    /// <summary><c>complete</c>, <c>stopped</c>, <c>failed</c> or <c>interrupted</c>.</summary>
    public static string ToWireName(this MessageStatus status) => status.ToString().ToLowerInvariant();
}
