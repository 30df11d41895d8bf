namespace Copilot.Api.Admin;

/// <summary>Admin calls, bound from <c>Copilot:Admin</c>.</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Copilot:Admin";

    /// <summary>Bearer secret for the expiry sweep. Unset (the default) disables the sweep: it answers 404.</summary>
    public string? CronSecret { get; set; }
}
