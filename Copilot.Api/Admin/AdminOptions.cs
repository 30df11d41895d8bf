namespace Copilot.Api.Admin;

/// <summary>Admin calls, bound from <c>Copilot:Admin</c>.</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Copilot:Admin";

    /// <summary>Shortest <see cref="CronSecret"/> accepted in Jwt mode, in UTF-8 bytes (as for the JWT secret).</summary>
    public const int MinSecretBytes = 32;

    /// <summary>Bearer secret of the admin calls. Unset (the default) disables them: they answer 404. In Jwt mode it must
    /// be at least <see cref="MinSecretBytes"/> bytes, or the service refuses to start.</summary>
    public string? CronSecret { get; set; }
}
