using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Copilot.Grains.Usage;

/// <summary>What the session grains ask of a user's limits: counting replies' model tokens, holding a running
/// turn's stream slot, and admitting a new session.</summary>
public sealed partial class UserLimits(
    IGrainFactory grains,
    IOptions<UserLimitsOptions> options,
    IOptions<SessionsOptions> sessions,
    [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time,
    ILogger<UserLimits> logger)
{
    /// <summary>Adds the reply's charged tokens (reported by the model or estimated, see <see cref="TokenEstimate"/>) to
    /// <paramref name="userId"/>'s count for today; never throws (the reply is what matters, and a lost count only makes
    /// the quota lenient).</summary>
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
            await grains.GetGrain<IUserLimitsGrain>(userId).AddAsync(tokens);
        }
        catch (Exception ex)
        {
            LogNotRecorded(ex, tokens);
        }
    }

    /// <summary>Holds stream slot <paramref name="slotId"/> of <paramref name="userId"/> until the returned hold is
    /// disposed, renewing its lease meanwhile; nothing when <paramref name="slotId"/> is null.</summary>
    /// <remarks>Call from the grain's scheduler: the renewals run there.</remarks>
    public IAsyncDisposable HoldSlot(Guid userId, Guid? slotId) => slotId is { } slot
        ? new SlotHold(grains.GetGrain<IUserLimitsGrain>(userId), slot, options.Value.StreamSlotLease / 4, time, logger)
        : NoHold.Instance;

    /// <summary>Takes one write from <paramref name="userId"/>'s write bucket for a new session: asked before anything of
    /// the session is stored, so a refused create costs no storage write.</summary>
    /// <exception cref="WriteLimitException">The user's write bucket is empty.</exception>
    public async Task AdmitWriteAsync(Guid userId)
    {
        var decision = await grains.GetGrain<IUserLimitsGrain>(userId).TryWriteAsync();
        if (!decision.IsAdmitted)
        {
            throw new WriteLimitException(decision.RetryAfter);
        }
    }

    /// <summary>Throws unless <paramref name="userId"/> may create the session <paramref name="sessionId"/>; when it
    /// may, room for it is held in the user's list until it is listed (or for a minute, if it never is).</summary>
    /// <exception cref="SessionLimitException">The user has <see cref="SessionsOptions.MaxPerUser"/> sessions, those
    /// being created counted in.</exception>
    public async Task ReserveSessionAsync(Guid userId, Guid sessionId)
    {
        if (!await grains.GetGrain<IUserSessionsGrain>(userId).TryReserveAsync(sessionId, sessions.Value.MaxPerUser))
        {
            throw new SessionLimitException();
        }
    }

    /// <summary>Gives back the room <see cref="ReserveSessionAsync"/> held for a session whose creation failed; never
    /// throws (unreleased room lapses on its own within a minute).</summary>
    public async Task ReleaseSessionAsync(Guid userId, Guid sessionId)
    {
        try
        {
            await grains.GetGrain<IUserSessionsGrain>(userId).ReleaseAsync(sessionId);
        }
        catch (Exception ex)
        {
            LogRoomNotReleased(ex, sessionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Tokens} model tokens could not be counted toward the daily quota")]
    private partial void LogNotRecorded(Exception exception, long tokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room held for session {SessionId}, whose creation failed, could not be given back; it lapses within a minute")]
    private partial void LogRoomNotReleased(Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A stream slot could not be renewed or released; its lease runs out on its own")]
    private static partial void LogSlotNotKept(ILogger logger, Exception exception);

    private sealed class NoHold : IAsyncDisposable
    {
        public static readonly NoHold Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A slot renewed every <c>every</c> until disposed, then released.</summary>
    private sealed class SlotHold : IAsyncDisposable
    {
        private readonly IUserLimitsGrain _limits;
        private readonly Guid _slot;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewals;

        public SlotHold(IUserLimitsGrain limits, Guid slot, TimeSpan every, TimeProvider time, ILogger logger)
        {
            (_limits, _slot, _logger) = (limits, slot, logger);
            _renewals = RenewAsync(every, time);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewals;
            _stop.Dispose();
            await KeepAsync(() => _limits.ReleaseSlotAsync(_slot));
        }

        private async Task RenewAsync(TimeSpan every, TimeProvider time)
        {
            while (true)
            {
                try
                {
                    await Task.Delay(every, time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                await KeepAsync(() => _limits.HoldSlotAsync(_slot));
            }
        }

        private async Task KeepAsync(Func<Task> call)
        {
            try
            {
                await call();
            }
            catch (Exception ex)
            {
                // A lost renewal or release only lets the lease run out by itself.
                LogSlotNotKept(_logger, ex);
            }
        }
    }
}
