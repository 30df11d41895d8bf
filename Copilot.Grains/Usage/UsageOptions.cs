using System.ComponentModel.DataAnnotations;

namespace Copilot.Grains.Usage;

/// <summary>The daily model-token quota, bound from <c>Copilot:RateLimits</c> (the section of the HTTP limits too).</summary>
public sealed class UsageOptions
{
    public const string SectionName = "Copilot:RateLimits";

    /// <summary>Model tokens (input plus output) one user may use per UTC day; further sends are refused until midnight
    /// UTC. 0 (the default) turns the quota off, and then no usage is recorded either.</summary>
    [Range(0, long.MaxValue)]
    public long DailyTokens { get; set; }

    /// <summary>True when a quota is set.</summary>
    public bool QuotaEnabled => DailyTokens > 0;
}
