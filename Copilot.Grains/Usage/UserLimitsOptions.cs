using System.ComponentModel.DataAnnotations;

namespace Copilot.Grains.Usage;

/// <summary>Per-user limits, bound from <c>Copilot:RateLimits</c> and held for each user by one
/// <see cref="IUserLimitsGrain"/> in the cluster, so that they hold whatever silo a request lands on.</summary>
/// <remarks>The defaults are far above what a person typing into the panel does; they stop scripts and runaway clients.</remarks>
public sealed class UserLimitsOptions
{
    public const string SectionName = "Copilot:RateLimits";

    /// <summary>Sends per user per minute: a token bucket of this size, refilled evenly over the minute, so a burst of this
    /// many is allowed and then one every 60/N seconds. Default 30.</summary>
    [Range(1, 1_000_000)]
    public int SendsPerMinute { get; set; } = 30;

    /// <summary>Turns (model calls) one user may have running at the same time, whether or not a client still reads
    /// them. Default 4.</summary>
    [Range(1, 10_000)]
    public int ConcurrentStreams { get; set; } = 4;

    /// <summary>Session creates, renames and deletes per user per minute, a token bucket like
    /// <see cref="SendsPerMinute"/>. Default 60.</summary>
    [Range(1, 1_000_000)]
    public int WritesPerMinute { get; set; } = 60;

    /// <summary>Model tokens (input plus output) one user may use per UTC day; further sends are refused until midnight
    /// UTC. 0 (the default) turns the quota off, and then no usage is recorded either.</summary>
    [Range(0, long.MaxValue)]
    public long DailyTokens { get; set; }

    /// <summary>The shortest <see cref="StreamSlotLease"/> accepted at start-up.</summary>
    public static readonly TimeSpan MinStreamSlotLease = TimeSpan.FromSeconds(1);

    /// <summary>How long a running turn's stream slot lasts without being renewed; the turn renews it every quarter of
    /// this. A turn whose silo died holds its slot at most this long. Default 2 minutes; at least
    /// <see cref="MinStreamSlotLease"/>.</summary>
    public TimeSpan StreamSlotLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>True when a quota is set.</summary>
    public bool QuotaEnabled => DailyTokens > 0;
}
