namespace Copilot.Grains.Usage;

/// <summary>One user's model-token usage for the current UTC day (key: the user id), counted from stored replies.</summary>
[Alias("copilot.IUserUsageGrain")]
public interface IUserUsageGrain : IGrainWithGuidKey
{
    /// <summary>Adds <paramref name="tokens"/> to today's count (starting a new count on a new UTC day).</summary>
    [Alias("Add")]
    Task AddAsync(long tokens);

    /// <summary>Tokens used today (UTC).</summary>
    [Alias("GetToday"), ReadOnly]
    Task<long> GetTodayAsync();

    /// <summary>Forgets the user's usage (its stored row too).</summary>
    [Alias("Clear")]
    Task ClearAsync();
}
