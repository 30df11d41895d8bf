using System.ComponentModel.DataAnnotations;
using System.Net;

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

    /// <summary>How long a streamed reply gathers the model's text before its next write to the client, unless the reply
    /// ends first. Default 50 ms; at most 250 ms; 0 writes each chunk as the model sends it.</summary>
    /// <remarks>A model streams a token (about 4 characters) every 10 to 30 ms, and each write costs a read of the reply (in
    /// place on the silo that runs the turn, else a poll of the session grain), an HTTP write and a flush whatever its
    /// length: gathering what arrives within the window writes 2 to 5
    /// tokens at once. The window runs from the previous write to the client, not from when the client asked again, and
    /// ends with the model's first chunk after it (or a timer at twice the window when the model sends nothing more), so
    /// text reaches the client at most twice this long (plus one call inside the silo and the write) after the session
    /// has it; the first text is never held back, nor the end of a reply (a read is
    /// answered as soon as the reply ends, so a reply that arrives whole is written whole at once).</remarks>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:00.250")]
    public TimeSpan StreamCoalesceWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Whether a streamed reply whose turn runs in this silo is read in place, from the session activation's
    /// memory, instead of by a poll of the session grain per write. Default true; false polls every reply.</summary>
    /// <remarks>The session grain is placed on the silo that took the request, so this is the common case. A reader
    /// on another silo, or of a turn that has ended, polls as before. Reads only: the turn is started, stopped and
    /// stored through the grain either way.</remarks>
    public bool ReadRepliesInPlace { get; set; } = true;

    /// <summary>Reads of shared conversations (<c>GET /v1/shares/{token}</c>, anonymous) one client address may make per
    /// minute. Default 60. Behind a reverse proxy the address is the proxy's unless it is one of
    /// <see cref="TrustedProxies"/>.</summary>
    [Range(1, 100_000)]
    public int ShareReadsPerMinute { get; set; } = 60;

    /// <summary>Reads of a shared conversation's images (<c>GET /v1/shares/{token}/files/{fileId}</c>, anonymous) one
    /// client address may make per minute, counted apart from the conversation's reads: a shared page shows each of its
    /// photos. Default 600.</summary>
    [Range(1, 1_000_000)]
    public int ShareFileReadsPerMinute { get; set; } = 600;

    /// <summary>The reverse proxies whose <c>X-Forwarded-For</c> is believed: IP addresses (<c>10.0.0.7</c>) or networks
    /// (<c>10.0.0.0/8</c>). A request from one of them counts as coming from the last address the proxy added to the
    /// header (one hop: the client as the proxy saw it), for the per-address limits and the logs. Empty (the default):
    /// the header is ignored, since any client can send one.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>True when every entry of <see cref="TrustedProxies"/> is an address or a network.</summary>
    public bool TrustedProxiesAreValid() => TrustedProxies.All(entry =>
        IPAddress.TryParse(entry, out _) || (entry.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(entry, out _)));
}
