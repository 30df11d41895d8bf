using Copilot.Grains.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Copilot.Grains.Usage;

/// <summary>Counts the model tokens of stored replies toward their user's daily quota, when a quota is set.</summary>
public sealed partial class ModelUsage(IGrainFactory grains, IOptions<UsageOptions> options, ILogger<ModelUsage> logger)
{
    /// <summary>Adds the reply's reported tokens to <paramref name="userId"/>'s count for today; never throws (the reply is
    /// what matters, and a lost count only makes the quota lenient).</summary>
    public async Task RecordAsync(Guid userId, MessageMetadata reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var tokens = (reply.InputTokens ?? 0) + (reply.OutputTokens ?? 0);
        if (!options.Value.QuotaEnabled || tokens <= 0)
        {
            return;
        }

        try
        {
            await grains.GetGrain<IUserUsageGrain>(userId).AddAsync(tokens);
        }
        catch (Exception ex)
        {
            LogNotRecorded(ex, tokens);
        }
    }

    /// <summary>True when <paramref name="userId"/> has used up today's quota (never when no quota is set).</summary>
    public async Task<bool> IsExhaustedAsync(Guid userId) =>
        options.Value.QuotaEnabled && await grains.GetGrain<IUserUsageGrain>(userId).GetTodayAsync() >= options.Value.DailyTokens;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Tokens} model tokens could not be counted toward the daily quota")]
    private partial void LogNotRecorded(Exception exception, long tokens);
}
