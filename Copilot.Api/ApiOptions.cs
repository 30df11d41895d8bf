using System.ComponentModel.DataAnnotations;

namespace Copilot.Api;

/// <summary>HTTP limits, bound from <c>Copilot:Api</c>.</summary>
internal sealed class ApiOptions
{
    public const string SectionName = "Copilot:Api";

    /// <summary>Largest request body accepted, in bytes. Default 256 KiB (a 16,000-character message needs at most ~64 KiB).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Browser origins allowed to call the API (CORS), e.g. <c>https://app.myroofgenius.com</c>. Empty (the
    /// default): only same-origin pages, or a reverse proxy that puts the API under the app's own origin.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Sessions listed by <c>GET /api/copilot</c>. Default 5, as the panel expects.</summary>
    [Range(1, 200)]
    public int RecentSessionsListed { get; set; } = 5;
}
