using Copilot.Grains.Personas;
using Copilot.Grains.Sessions.Storage;
using Copilot.Grains.Sessions.Turns;
using Copilot.Grains.Usage;
using Microsoft.Extensions.Logging;

namespace Copilot.Grains.Sessions.Lifecycle;

/// <summary>A session's beginning and end: creation under the user's session cap with its expiry reminder, deletion by
/// its owner, expiry when idle, and the reminder's ticks. Deleting removes everything that belongs to the session: its
/// rows, images, shares, feedback and its row in the user's list.</summary>
internal sealed partial class SessionLifecycle(
    SessionStore store,
    TurnRunner turns,
    ReplyWriter replies,
    ExpiryReminder expiry,
    UserLimits limits,
    SessionDependents dependents,
    SessionsOptions options,
    TimeProvider time,
    Action deactivate,
    ILogger logger)
{
    private SessionState Header => store.Header;

    /// <summary>Creates the session for <paramref name="userId"/>, titled <paramref name="title"/>, if the user's session
    /// cap admits one more.</summary>
    public async Task CreateAsync(Guid userId, PersonaRole role, string title)
    {
        await limits.AdmitWriteAsync(userId);

        // The reminder goes before the header: if the header's write then fails, the stray reminder finds no session and
        // removes itself, whereas a stored session without a reminder would never expire. It is written while the cap
        // is checked (which first loads the user's list when it is not in memory), and removed if the cap refuses.
        var reminder = expiry.RegisterAsync();
        try
        {
            await limits.ReserveSessionAsync(userId, store.SessionId);
        }
        catch
        {
            await ForgetReminderAsync(reminder);
            throw;
        }

        try
        {
            await reminder;
            await store.CreateAsync(userId, role, title);
        }
        catch
        {
            await limits.ReleaseSessionAsync(userId, store.SessionId);
            throw;
        }

        LogSessionCreated(Header.Id, role);
    }

    /// <summary>Deletes the session at its owner's request.</summary>
    public async Task DeleteAsync() => LogSessionDeleted(await DeleteSessionAsync());

    /// <summary>Deletes the session if it is being deleted already or has been idle past the timeout with no reply
    /// running; returns whether it did.</summary>
    public async Task<bool> ExpireIfIdleAsync()
    {
        if (Header.Status == SessionStatus.Expiring ||
            (Header.Exists && !turns.IsRunning && SessionExpiry.IsIdle(Header.UpdatedAt, time.GetUtcNow(), options)))
        {
            LogSessionExpired(await DeleteSessionAsync());
            return true;
        }

        return false;
    }

    /// <summary>A reminder tick: expires the session when idle, otherwise moves the reminder to the new deadline (or
    /// removes it when there is no session).</summary>
    public async Task OnReminderAsync(string reminderName)
    {
        if (reminderName != ExpiryReminder.Name || await ExpireIfIdleAsync())
        {
            return;
        }

        if (!Header.Exists)
        {
            // A tick for a session that was never stored (a failed create) or is already gone.
            await expiry.UnregisterAsync();
            deactivate();
            return;
        }

        LogExpiryMoved(Header.Id, await expiry.MoveAsync(Header.UpdatedAt));
    }

    /// <summary>Whether a deletion of <paramref name="userId"/>'s session was interrupted (storage failed, or the silo
    /// died, half-way): the owner's delete finishes it.</summary>
    public bool IsBeingDeletedFor(Guid userId) => Header.Status == SessionStatus.Expiring && Header.OwnerId == userId;

    /// <summary>On activation: a deletion that an earlier activation left half done (its silo died) is finished by a
    /// reminder tick soon, not a whole idle timeout later.</summary>
    public async Task ResumeInterruptedDeletionAsync()
    {
        if (Header.Status == SessionStatus.Expiring)
        {
            LogDeletionInterrupted(Header.Id);
            await RetryDeletionSoonAsync();
        }
    }

    /// <summary>Deletes the session and all its rows and returns its id. Marked expiring first, so an interrupted
    /// deletion resumes: at the owner's next delete, or at a reminder tick within <see cref="ExpiryReminder.RetryDelay"/>;
    /// a reply in flight is stopped and awaited first.</summary>
    private async Task<Guid> DeleteSessionAsync()
    {
        await turns.StopAndWaitAsync();
        var (sessionId, ownerId) = (Header.Id, Header.OwnerId);
        try
        {
            await store.DeleteAsync(replies.StopRetrying, () => dependents.DeleteAsync(ownerId, sessionId));
        }
        catch
        {
            if (Header.Status == SessionStatus.Expiring)
            {
                await RetryDeletionSoonAsync();
            }

            throw;
        }

        await expiry.UnregisterAsync();
        turns.Forget();
        deactivate();
        return sessionId;
    }

    /// <summary>Removes the reminder of a session that was refused; never throws (a reminder left behind finds no
    /// session at its tick and removes itself).</summary>
    private async Task ForgetReminderAsync(Task<IGrainReminder> registering)
    {
        IGrainReminder registered;
        try
        {
            registered = await registering;
        }
        catch (Exception)
        {
            // Never registered (or registered as its call failed: then it is a stray one, as above).
            return;
        }

        try
        {
            await expiry.UnregisterAsync(registered);
        }
        catch (Exception ex)
        {
            LogReminderNotRemoved(ex, store.SessionId);
        }
    }

    /// <summary>Moves the reminder's next tick to <see cref="ExpiryReminder.RetryDelay"/> from now; when storage cannot
    /// take even that, the owner's next delete, the next sweep or the next tick still finish the deletion.</summary>
    private async Task RetryDeletionSoonAsync()
    {
        try
        {
            await expiry.RetrySoonAsync();
        }
        catch (Exception ex)
        {
            LogRetryNotScheduled(ex, Header.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} was being deleted when its last activation ended; finishing the deletion")]
    private partial void LogDeletionInterrupted(Guid sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not move the expiry reminder to retry an interrupted deletion soon")]
    private partial void LogRetryNotScheduled(Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} was refused, and its expiry reminder could not be removed; it removes itself at its tick")]
    private partial void LogReminderNotRemoved(Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} created with persona {Role}")]
    private partial void LogSessionCreated(Guid sessionId, PersonaRole role);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} deleted by its owner")]
    private partial void LogSessionDeleted(Guid sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} expired after being idle")]
    private partial void LogSessionExpired(Guid sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId} was touched; expiry moved to {Deadline}")]
    private partial void LogExpiryMoved(Guid sessionId, DateTimeOffset deadline);
}
