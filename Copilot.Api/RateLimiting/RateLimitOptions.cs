using System.ComponentModel.DataAnnotations;

namespace Copilot.Api.RateLimiting;

/// <summary>Per-user limits on sends, bound from <c>Copilot:RateLimits</c> (the daily token quota,
/// <c>Copilot:RateLimits:DailyTokens</c>, is in <see cref="Grains.Usage.UsageOptions"/>).</summary>
/// <remarks>The defaults are far above what a person typing into the panel does; they stop scripts and runaway clients.</remarks>
internal sealed class RateLimitOptions
{
    public const string SectionName = "Copilot:RateLimits";

    /// <summary>Sends per user per minute: a token bucket of this size, refilled evenly over the minute, so a burst of this
    /// many is allowed and then one every 60/N seconds. Default 30.</summary>
    [Range(1, 1_000_000)]
    public int SendsPerMinute { get; set; } = 30;

    /// <summary>Replies one user may be streaming at the same time (one per open tab or session). Default 4.</summary>
    [Range(1, 10_000)]
    public int ConcurrentStreams { get; set; } = 4;
}
