namespace Copilot.Grains.Usage;

/// <summary>One user's limits (key: the user id), one activation in the cluster: the send and write buckets and the
/// running turns' stream slots in memory, today's model-token count stored.</summary>
[Alias("copilot.IUserUsageGrain")]
public interface IUserLimitsGrain : IGrainWithGuidKey
{
    /// <summary>Admits a send when the quota, the stream slots and the send bucket allow it: takes a token and holds
    /// stream slot <paramref name="slotId"/> until it is released or its lease runs out.</summary>
    [Alias("TryStartSend")]
    Task<LimitDecision> TryStartSendAsync(Guid slotId);

    /// <summary>Renews the lease of a running turn's slot (holding it again if this activation never knew it).</summary>
    [Alias("HoldSlot")]
    Task HoldSlotAsync(Guid slotId);

    /// <summary>Frees a stream slot; freeing one not held does nothing.</summary>
    [Alias("ReleaseSlot")]
    Task ReleaseSlotAsync(Guid slotId);

    /// <summary>Admits a session create, rename or delete when the write bucket allows it.</summary>
    [Alias("TryWrite")]
    Task<LimitDecision> TryWriteAsync();

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
