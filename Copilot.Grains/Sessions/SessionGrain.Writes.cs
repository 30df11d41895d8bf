using System.Diagnostics;
using Copilot.Grains.Personas;
using Copilot.Grains.Users;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Copilot.Grains.Sessions;

/// <summary>The session grain's commits: every storage write, the turn's background work, and ownership checks.</summary>
internal sealed partial class SessionGrain
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Segments folded into a page whose delete failed; retried at the next seal and at deletion.</summary>
    private List<long> _undeletedSegments = [];

    private bool IsVisibleTo(Guid userId) => S.Exists && S.OwnerId == userId;

    private void EnsureOwner(Guid userId)
    {
        if (!IsVisibleTo(userId))
        {
            throw new SessionNotFoundException();
        }
    }

    private void EnsureNoTurnRunning()
    {
        if (TurnRunning)
        {
            throw new TurnInFlightException();
        }
    }

    private SessionInfo ToInfo() => SessionProjections.ToInfo(S, TurnRunning ? _turn!.TurnId : null);

    private Task<SessionPage> ReadPageAsync(int pageNumber) =>
        _pages.ReadAsync(pageNumber, isNewest: pageNumber == _history.PageCount - 1);

    private async Task CreateSessionAsync(Guid userId, PersonaRole role)
    {
        var now = time.GetUtcNow();

        // The reminder goes first: if the state write then fails, the stray reminder finds no session and removes
        // itself, whereas a stored session without a reminder would never expire.
        await this.RegisterOrUpdateReminder(ExpiryReminderName, _options.IdleTimeout, SessionExpiry.ReminderPeriod(_options));
        await WithWriteLockAsync(() => CommitHeaderAsync(s =>
        {
            s.Id = this.GetPrimaryKey();
            s.OwnerId = userId;
            s.Role = role;
            s.Title = "";
            s.CreatedAt = now;
            s.UpdatedAt = now;
            s.Status = SessionStatus.Active;
        }));
        LogSessionCreated(S.Id, role);
    }

    /// <summary>Runs <paramref name="write"/> alone: no other write of this session runs at the same time.</summary>
    private async Task WithWriteLockAsync(Func<Task> write)
    {
        await _writes.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Applies <paramref name="change"/> to the header and writes it; on failure, memory goes back to what is stored.</summary>
    private async Task CommitHeaderAsync(Action<SessionState> change)
    {
        var before = S with
        {
            Messages = [.. S.Messages],
            RecentTurns = [.. S.RecentTurns],
            SealedPageStarts = [.. S.SealedPageStarts],
        };
        try
        {
            change(S);
            S.RecentTurns = _recentTurns.Snapshot();
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            _pages.Forget(S.SealedPageCount);
            throw;
        }
    }

    /// <summary>Stores messages as one segment (a reply held from an earlier failure goes first).</summary>
    private async Task<IReadOnlyList<SessionMessage>> WriteMessagesAsync(
        IReadOnlyList<(Guid Id, NewMessage Message)> messages, InFlightTurn? marker = null)
    {
        IReadOnlyList<SessionMessage> stored = [];
        await WithWriteLockAsync(async () =>
        {
            await StoreUnstoredReplyAsync();
            stored = await WriteSegmentAsync(messages, marker);
        });
        return stored;
    }

    /// <summary>Writes one segment, sealing the tail into a page first when it is full. The caller holds the write lock.</summary>
    private async Task<IReadOnlyList<SessionMessage>> WriteSegmentAsync(
        IReadOnlyList<(Guid Id, NewMessage Message)> messages, InFlightTurn? marker)
    {
        var now = time.GetUtcNow();
        var stored = messages.Select((m, i) => new SessionMessage
        {
            Id = m.Id,
            Seq = _history.Count + i,
            Role = m.Message.Role,
            Content = m.Message.Content,
            CreatedAt = now,
            Status = m.Message.Status,
            Metadata = m.Message.Metadata,
        }).ToList();
        if (_history.WouldOverflow(stored))
        {
            await SealAsync();
        }

        var segment = new SessionSegment { SessionId = S.Id, SegmentNumber = _history.NextSegment, Messages = stored, InFlight = marker };
        try
        {
            segment = await _segments.InsertAsync(segment, S.CreatedAt);
        }
        catch (InconsistentStateException)
        {
            // Another write holds this number (one whose answer was lost): only a fresh activation sees it.
            DeactivateOnIdle();
            throw;
        }

        Observe(segment);
        stored = segment.Messages;
        if (S.Title.Length == 0 && stored.Find(m => m.Role == MessageRole.User) is { } first)
        {
            try
            {
                await CommitHeaderAsync(s => s.Title = SessionProjections.MakeTitle(first.Content));
            }
            catch (Exception ex)
            {
                // The message is stored; the next user message offers the title again.
                LogTitleNotStored(ex, S.Id);
            }
        }

        return stored;
    }

    /// <summary>Brings memory up to date with a stored segment.</summary>
    private void Observe(SessionSegment segment)
    {
        _history.Append(segment);
        _recentTurns.Observe(segment);
        S.InFlight = segment.InFlight ?? S.InFlight;
        if (S.InFlight is { } marker && segment.Messages.Exists(m => m.Id == marker.TurnId))
        {
            S.InFlight = null;
        }

        S.MessageCount = _history.Count;
        if (segment.Messages.Count > 0 && segment.Messages[^1].CreatedAt > S.UpdatedAt)
        {
            S.UpdatedAt = segment.Messages[^1].CreatedAt;
        }
    }

    /// <summary>Seals the tail into a page, checkpoints the header, then deletes the folded segments (best effort).</summary>
    private async Task SealAsync()
    {
        var page = _history.NextPage(S.Id);
        await _pages.WriteAsync(page);
        await CommitHeaderAsync(s =>
        {
            s.SealedPageCount = page.PageNumber + 1;
            s.SealedPageStarts.Add(page.Messages[0].Seq);
            s.Messages = [];
            s.FirstOpenSegment = _history.NextSegment;
        });
        var folded = _history.Sealed(page);
        _undeletedSegments = await _segments.DeleteAsync([.. _undeletedSegments, .. folded]);
    }

    /// <summary>Streams the reply and stores it; never throws.</summary>
    private async Task RunTurnAsync(ActiveTurn turn, InFlightTurn marker, List<ChatMessage> input)
    {
        var outcome = await new ReplyGenerator(chatClient, _model, logger).GenerateAsync(turn, input, S.Id);
        var reply = new UnstoredReply(
            marker.TurnId, new NewMessage(MessageRole.Assistant, turn.Text) { Status = outcome.Status, Metadata = outcome.Metadata });
        if (await StoreReplyWithRetriesAsync(reply, turn.Cancellation.Token) is not { } stored)
        {
            // Storage stayed down: keep the reply, and store it before any later write or on a timer tick.
            LogReplyNotStored(S.Id, marker.TurnId);
            _unstoredReply = reply;
            _unstoredReplyTimer ??= this.RegisterGrainTimer(
                _ => TryStoreUnstoredReplyAsync(), _options.UnstoredReplyRetryPeriod, _options.UnstoredReplyRetryPeriod);
            turn.Finish(null, MessageStatus.Failed, ErrorCodes.StorageUnavailable);
            return;
        }

        turn.Finish(stored, outcome.Status, outcome.Metadata.ErrorCode);
        await UpdateIndexAsync();
    }

    /// <summary>Writes the reply, retrying with backoff for <see cref="SessionsOptions.ReplyWriteRetryWindow"/>; null when it could not.</summary>
    private async Task<SessionMessage?> StoreReplyWithRetriesAsync(UnstoredReply reply, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        for (var delay = FirstRetryDelay; ; delay = delay * 2 < LongestRetryDelay ? delay * 2 : LongestRetryDelay)
        {
            try
            {
                return (await WriteMessagesAsync([(reply.TurnId, reply.Message)]))[0];
            }
            catch (Exception ex) when (ex is not InconsistentStateException)
            {
                LogReplyWriteFailed(ex, S.Id, reply.TurnId);
                if (Stopwatch.GetElapsedTime(started) + delay > _options.ReplyWriteRetryWindow)
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

    /// <summary>Stores the held reply, if any. The caller holds the write lock; throws when storage still fails.</summary>
    private async Task StoreUnstoredReplyAsync()
    {
        if (_unstoredReply is not { } reply)
        {
            return;
        }

        var stored = (await WriteSegmentAsync([(reply.TurnId, reply.Message)], null))[0];
        _unstoredReply = null;
        _unstoredReplyTimer?.Dispose();
        _unstoredReplyTimer = null;
        LogUnstoredReplyStored(S.Id, reply.TurnId);
        if (_turn is { } turn && turn.TurnId == reply.TurnId)
        {
            turn.Finish(stored, stored.Status, stored.Metadata.ErrorCode);
        }
    }

    private async Task TryStoreUnstoredReplyAsync()
    {
        try
        {
            await WithWriteLockAsync(StoreUnstoredReplyAsync);
        }
        catch (Exception ex)
        {
            LogReplyWriteFailed(ex, S.Id, _unstoredReply?.TurnId ?? Guid.Empty);
            return;
        }

        await UpdateIndexAsync();
    }

    /// <summary>Records a turn whose activation died (or whose reply could not be stored) as interrupted.</summary>
    private async Task FinishStaleTurnAsync(InFlightTurn marker)
    {
        var interrupted = new NewMessage(MessageRole.Assistant, "")
        {
            Status = MessageStatus.Interrupted,
            Metadata = new MessageMetadata { Model = marker.Model, ErrorCode = ErrorCodes.Interrupted },
        };
        var reply = (await WriteMessagesAsync([(marker.TurnId, interrupted)]))[0];
        _turn?.Dispose();
        _turn = new ActiveTurn(marker.TurnId, 0);
        _turn.Finish(reply, MessageStatus.Interrupted, ErrorCodes.Interrupted);
    }

    /// <summary>The stored reply of <paramref name="turnId"/>: located through the idempotency memory at any distance,
    /// else among the newest messages.</summary>
    private async Task<SessionMessage?> FindReplyAsync(Guid turnId)
    {
        if (_recentTurns.FindTurn(turnId) is { } turn &&
            await _history.FindAsync(turn.ReplySeq ?? turn.UserMessageSeq + 1, ReadPageAsync) is { } remembered &&
            remembered.Id == turnId)
        {
            return remembered;
        }

        var looked = 0;
        await foreach (var message in _history.NewestFirstAsync(long.MaxValue, ReadPageAsync))
        {
            if (message.Id == turnId)
            {
                return message;
            }

            if (++looked >= 2 * RecentTurnsKept)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>Deletes the session and all its rows. Marked expiring first, so an interrupted deletion resumes on the
    /// next tick; a reply in flight is stopped and awaited first.</summary>
    private async Task DeleteSessionAsync()
    {
        if (_generation is { IsCompleted: false } generation && _turn is { } turn)
        {
            turn.Cancel(MessageStatus.Stopped);
            await generation;
        }

        var (sessionId, ownerId) = (S.Id, S.OwnerId);
        await WithWriteLockAsync(async () =>
        {
            if (S.Status != SessionStatus.Expiring)
            {
                await CommitHeaderAsync(s => s.Status = SessionStatus.Expiring);
            }

            _unstoredReply = null;
            _unstoredReplyTimer?.Dispose();
            _unstoredReplyTimer = null;
            await _pages.DeleteAllAsync(S.SealedPageCount);
            var live = Enumerable.Range(0, checked((int)(_history.NextSegment - _history.FirstOpenSegment)))
                .Select(i => _history.FirstOpenSegment + i);
            _undeletedSegments = await _segments.DeleteAsync([.. _undeletedSegments, .. live]);
            if (_undeletedSegments.Count > 0)
            {
                throw new InconsistentStateException($"Session {sessionId}: {_undeletedSegments.Count} segment row(s) could not be deleted.");
            }

            await GrainFactory.GetGrain<IUserSessionsGrain>(ownerId).RemoveAsync(sessionId);
            await state.ClearStateAsync();
        });
        await UnregisterExpiryReminderAsync();
        _turn?.Dispose();
        _turn = null;
        LogSessionExpired(sessionId);
        DeactivateOnIdle();
    }

    private async Task UnregisterExpiryReminderAsync()
    {
        if (await this.GetReminder(ExpiryReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Updates the user's session list: at once when <paramref name="required"/> (create, rename), else as a
    /// coalesced touch that the list writes within its flush interval.</summary>
    private async Task UpdateIndexAsync(bool required = false)
    {
        var index = GrainFactory.GetGrain<IUserSessionsGrain>(S.OwnerId);
        var summary = SessionProjections.ToSummary(S, TurnRunning);
        try
        {
            await (required ? index.UpsertAsync(summary) : index.TouchAsync(summary));
        }
        catch (Exception ex) when (!required)
        {
            // The messages are stored; the list catches up on the session's next touch.
            LogIndexNotUpdated(ex, S.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} created with persona {Role}")]
    private partial void LogSessionCreated(Guid sessionId, PersonaRole role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: turn {TurnId} was in flight when its activation ended; recording it as interrupted")]
    private partial void LogRecoveringInterruptedTurn(Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: writing the reply of turn {TurnId} failed")]
    private partial void LogReplyWriteFailed(Exception exception, Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: the reply of turn {TurnId} could not be stored yet; the activation keeps it")]
    private partial void LogReplyNotStored(Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: the held reply of turn {TurnId} is now stored")]
    private partial void LogUnstoredReplyStored(Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the title could not be stored")]
    private partial void LogTitleNotStored(Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the user's session index could not be updated")]
    private partial void LogIndexNotUpdated(Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} expired after being idle")]
    private partial void LogSessionExpired(Guid sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId} was touched; expiry moved to {Deadline}")]
    private partial void LogExpiryMoved(Guid sessionId, DateTimeOffset deadline);
}
