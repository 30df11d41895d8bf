using System.Diagnostics;
using Copilot.Grains.Sessions.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>Stores a generated reply: retried with backoff for <see cref="SessionsOptions.ReplyWriteRetryWindow"/>,
/// then held by the activation and stored before any later write or on a timer tick.</summary>
/// <remarks>Lives in the session grain's activation and runs on its scheduler.</remarks>
internal sealed partial class ReplyWriter(
    SessionStore store, IGrainBase grain, SessionsOptions options, ILogger logger, Func<Task> heldReplyStored)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(2);

    private IGrainTimer? _heldReplyTimer;

    private Guid SessionId => store.Header.Id;

    /// <summary>Writes the reply, retrying while storage fails; when it stays down, holds the reply and returns null.</summary>
    public async Task<SessionMessage?> WriteAsync(UnstoredReply reply, CancellationToken cancellation)
    {
        if (await WriteWithRetriesAsync(reply, cancellation) is { } stored)
        {
            return stored;
        }

        LogReplyNotStored(logger, SessionId, reply.TurnId);
        store.HeldReply = reply;
        _heldReplyTimer ??= grain.RegisterGrainTimer(
            _ => StoreHeldReplyAsync(), options.UnstoredReplyRetryPeriod, options.UnstoredReplyRetryPeriod);
        return null;
    }

    /// <summary>Tries once more to store the held reply, if any; a failure is logged and left to the next attempt.</summary>
    public async Task StoreHeldReplyAsync()
    {
        if (store.HeldReply is null)
        {
            return;
        }

        try
        {
            await store.WithWriteLockAsync(store.StoreHeldReplyAsync);
        }
        catch (Exception ex)
        {
            LogReplyWriteFailed(logger, ex, SessionId, store.HeldReply?.TurnId ?? Guid.Empty);
            return;
        }

        await heldReplyStored();
    }

    /// <summary>The held reply is stored at last (by any write): no more attempts.</summary>
    public void HeldReplyWritten(SessionMessage stored)
    {
        StopRetrying();
        LogHeldReplyStored(logger, SessionId, stored.Id);
    }

    public void StopRetrying()
    {
        _heldReplyTimer?.Dispose();
        _heldReplyTimer = null;
    }

    private async Task<SessionMessage?> WriteWithRetriesAsync(UnstoredReply reply, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        for (var delay = FirstRetryDelay; ; delay = delay * 2 < LongestRetryDelay ? delay * 2 : LongestRetryDelay)
        {
            try
            {
                return (await store.WriteMessagesAsync([(reply.TurnId, reply.Message)], parentId: reply.ParentId))[0];
            }
            catch (Exception ex) when (ex is not InconsistentStateException)
            {
                LogReplyWriteFailed(logger, ex, SessionId, reply.TurnId);
                if (Stopwatch.GetElapsedTime(started) + delay > options.ReplyWriteRetryWindow)
                {
                    return null;
                }
            }
            catch (InconsistentStateException)
            {
                return null;
            }

            try
            {
                await Task.Delay(delay, cancellation);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: writing the reply of turn {TurnId} failed")]
    private static partial void LogReplyWriteFailed(ILogger logger, Exception exception, Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: the reply of turn {TurnId} could not be stored yet; the activation keeps it")]
    private static partial void LogReplyNotStored(ILogger logger, Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: the held reply of turn {TurnId} is now stored")]
    private static partial void LogHeldReplyStored(ILogger logger, Guid sessionId, Guid turnId);
}
