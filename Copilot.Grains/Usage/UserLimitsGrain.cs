using Copilot.Grains.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Copilot.Grains.Usage;

/// <inheritdoc cref="IUserLimitsGrain" />
/// <remarks>The buckets and slots live in memory: a new activation (after idling out or a silo's death) starts with full
/// buckets and knows only the slots its running turns renew, within a quarter of
/// <see cref="UserLimitsOptions.StreamSlotLease"/>. The grain type keeps the name of the usage grain it grew from.</remarks>
[GrainType("userusage")]
internal sealed partial class UserLimitsGrain(
    [PersistentState(CopilotStorage.UserUsageStateName, CopilotStorage.ProviderName)]
    IPersistentState<UserUsageState> state,
    IOptions<UserLimitsOptions> options,
    [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time,
    ILogger<UserLimitsGrain> logger) : Grain, IUserLimitsGrain
{
    private readonly UserLimitsOptions _limits = options.Value;
    private readonly TokenBucket _sends = new(options.Value.SendsPerMinute, time);
    private readonly TokenBucket _writes = new(options.Value.WritesPerMinute, time);

    /// <summary>Held stream slots and when each lease runs out.</summary>
    private readonly Dictionary<Guid, DateTimeOffset> _slots = [];

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public Task<LimitDecision> TryStartSendAsync(Guid slotId)
    {
        var now = time.GetUtcNow();
        if (_limits.QuotaEnabled && TodayTokens() >= _limits.DailyTokens)
        {
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            return Task.FromResult(LimitDecision.Refused(LimitDecision.QuotaReason, midnight - now));
        }

        foreach (var expired in _slots.Where(s => s.Value <= now).Select(s => s.Key).ToList())
        {
            _slots.Remove(expired);
        }

        if (_slots.Count >= _limits.ConcurrentStreams)
        {
            LogStreamsRefused(this.GetPrimaryKey(), _slots.Count, _slots.Values.Min() - now);
            return Task.FromResult(LimitDecision.Refused(LimitDecision.StreamsReason, LimitDecision.StreamsRetryAfter));
        }

        if (!_sends.TryTake(out var retryAfter))
        {
            return Task.FromResult(LimitDecision.Refused(LimitDecision.SendsReason, retryAfter));
        }

        _slots[slotId] = now + _limits.StreamSlotLease;
        return Task.FromResult(LimitDecision.Admitted);
    }

    public Task HoldSlotAsync(Guid slotId)
    {
        _slots[slotId] = time.GetUtcNow() + _limits.StreamSlotLease;
        return Task.CompletedTask;
    }

    public Task ReleaseSlotAsync(Guid slotId)
    {
        _slots.Remove(slotId);
        return Task.CompletedTask;
    }

    public Task<LimitDecision> TryWriteAsync() => Task.FromResult(
        _writes.TryTake(out var retryAfter) ? LimitDecision.Admitted : LimitDecision.Refused(LimitDecision.WritesReason, retryAfter));

    public async Task AddAsync(long tokens)
    {
        if (tokens <= 0)
        {
            return;
        }

        var today = Today;
        state.State = state.State.Day == today
            ? state.State with { Tokens = state.State.Tokens + tokens }
            : new UserUsageState { Day = today, Tokens = tokens };
        await state.WriteStateAsync();
    }

    public Task<long> GetTodayAsync() => Task.FromResult(TodayTokens());

    public async Task ClearAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new UserUsageState();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "User {UserId}: a send refused with {Held} stream slots held, the earliest lease ending in {LeaseEndsIn}")]
    private partial void LogStreamsRefused(Guid userId, int held, TimeSpan leaseEndsIn);

    private long TodayTokens() => state.State.Day == Today ? state.State.Tokens : 0;
}
