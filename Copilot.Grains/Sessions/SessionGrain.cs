using System.Diagnostics;
using Copilot.Grains.ChatModel;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions.Expiry;
using Copilot.Grains.Sessions.Storage;
using Copilot.Grains.Sessions.Turns;
using Copilot.Grains.Telemetry;
using Copilot.Grains.Usage;
using Copilot.Grains.Users;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Storage;

namespace Copilot.Grains.Sessions;

/// <inheritdoc cref="ISessionGrain" />
/// <remarks>
/// Storage (a header row written rarely, one segment row per write of messages, sealed pages) and every write go
/// through <see cref="SessionStore"/>. Placement prefers the silo that took the request: the reply is read by many
/// short polls from that same silo.
/// </remarks>
[PreferLocalPlacement]
internal sealed partial class SessionGrain(
    [PersistentState(CopilotStorage.SessionStateName, CopilotStorage.ProviderName)]
    IPersistentState<SessionState> state,
    [FromKeyedServices(CopilotStorage.ProviderName)] IGrainStorage rowStorage,
    IChatClient chatClient,
    IOptions<SessionsOptions> sessionOptions,
    IOptions<ChatModelOptions> modelOptions,
    [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time,
    CopilotMetrics metrics,
    ModelUsage usage,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable
{
    /// <summary>The name of the one reminder each session registers.</summary>
    public const string ExpiryReminderName = "expiry";

    /// <summary>Longest wait one reply read may ask for.</summary>
    public static readonly TimeSpan MaxReadWait = TimeSpan.FromSeconds(10);

    private readonly SessionsOptions _options = sessionOptions.Value;
    private readonly ChatModelOptions _model = modelOptions.Value;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(2);

    private SessionStore _store = null!;
    private IGrainTimer? _heldReplyTimer;
    private ActiveTurn? _turn;
    private Task? _generation;

    private SessionState S => _store.Header;

    private MessageHistory History => _store.History;

    private bool TurnRunning => _turn is { IsFinished: false };

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _store = new SessionStore(
            state, rowStorage, this.GetPrimaryKey(), _options, time, logger, DeactivateOnIdle, OnHeldReplyStored);
        await _store.LoadAsync();
        if (S.Exists && S.InFlight is { } marker)
        {
            LogRecoveringInterruptedTurn(S.Id, marker.TurnId);
            await FinishStaleTurnAsync(marker);
        }

        metrics.SessionActivated();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.SessionDeactivated();
        if (_generation is { IsCompleted: false } generation && _turn is { } turn)
        {
            // A stopping silo gives the reply a grace period to finish, then stores what arrived as interrupted.
            try
            {
                await generation.WaitAsync(_options.TurnShutdownGrace, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                turn.Cancel(MessageStatus.Interrupted);
                await generation;
            }
        }

        if (_store.HeldReply is not null)
        {
            await TryStoreHeldReplyAsync();
        }
    }

    public async Task<SessionInfo> CreateAsync(Guid userId, PersonaRole role)
    {
        if (S.Exists)
        {
            EnsureOwner(userId);
            return S.Role == role ? ToInfo() : throw new RoleMismatchException();
        }

        await CreateSessionAsync(userId, role);
        await UpdateIndexAsync(required: true);
        return ToInfo();
    }

    public async Task<IReadOnlyList<SessionMessage>> AppendAsync(Guid userId, IReadOnlyList<NewMessage> messages)
    {
        EnsureOwner(userId);
        ArgumentNullException.ThrowIfNull(messages);
        EnsureNoTurnRunning();
        if (messages.Count == 0)
        {
            return [];
        }

        var stored = await _store.WriteMessagesAsync(messages.Select(m => (Guid.NewGuid(), m)).ToList());
        await UpdateIndexAsync();
        return stored;
    }

    public Task<SessionInfo?> GetInfoAsync(Guid userId) =>
        Task.FromResult(IsVisibleTo(userId) ? ToInfo() : null);

    public async Task<MessagePage?> GetMessagesAsync(Guid userId, long? beforeSeq, int limit)
    {
        if (!IsVisibleTo(userId))
        {
            return null;
        }

        limit = Math.Clamp(limit, 1, 1000);
        var messages = new List<SessionMessage>(limit + 1);
        await foreach (var message in History.NewestFirstAsync(beforeSeq ?? long.MaxValue, _store.ReadPageAsync))
        {
            messages.Add(message);
            if (messages.Count > limit)
            {
                break;
            }
        }

        var hasMore = messages.Count > limit;
        if (hasMore)
        {
            messages.RemoveAt(limit);
        }

        return new MessagePage { Messages = messages, NextBeforeSeq = hasMore ? messages[^1].Seq : null };
    }

    public async Task<IReadOnlyList<SessionMessage>?> GetAllMessagesAsync(Guid userId) =>
        IsVisibleTo(userId) ? await History.AllAsync(_store.ReadPageAsync) : null;

    public async Task<TurnStarted> StartTurnAsync(Guid userId, TurnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var created = false;
        if (!S.Exists)
        {
            if (!request.CreateIfMissing || S.Status == SessionStatus.Expiring)
            {
                throw new SessionNotFoundException();
            }

            await CreateSessionAsync(userId, request.Role ?? Personas.Personas.Default);
            created = true;
        }

        EnsureOwner(userId);
        if (request.Role is { } role && role != S.Role)
        {
            throw new RoleMismatchException();
        }

        if (request.ClientMessageId is { } key && _store.RecentTurns.Find(key) is { } prior)
        {
            var user = await History.FindAsync(prior.UserMessageSeq, _store.ReadPageAsync);
            return new TurnStarted { Session = ToInfo(), TurnId = prior.TurnId, UserMessage = user!, Replayed = true };
        }

        EnsureNoTurnRunning();
        if (S.InFlight is { } stale && _store.HeldReply is null)
        {
            await FinishStaleTurnAsync(stale);
        }

        var turnId = Guid.NewGuid();
        var userMessage = new NewMessage(MessageRole.User, request.Content)
        {
            Metadata = request.ClientMessageId is null ? MessageMetadata.None : new MessageMetadata { ClientMessageId = request.ClientMessageId },
        };
        var userMessageId = Guid.NewGuid();
        var marker = new InFlightTurn
        {
            TurnId = turnId,
            UserMessageId = userMessageId,
            StartedAt = time.GetUtcNow(),
            Model = _model.EffectiveModel,
        };
        var stored = (await _store.WriteMessagesAsync([(userMessageId, userMessage)], marker))[0];
        if (created)
        {
            // A new session is in its user's list, with its title, before the model is asked anything.
            await UpdateIndexAsync(required: true);
        }

        var input = await ContextWindow.BuildAsync(
            S.Role, History.NewestFirstAsync(long.MaxValue, _store.ReadPageAsync), _options.ContextMaxMessages, _options.ContextBudgetChars);
        _turn?.Dispose();
        _turn = new ActiveTurn(turnId, _options.MaxReplyChars);
        _generation = RunTurnAsync(_turn, marker, input);
        await UpdateIndexAsync();
        return new TurnStarted { Session = ToInfo(), TurnId = turnId, UserMessage = stored, Created = created };
    }

    public async Task<ReplyProgress> ReadReplyAsync(Guid userId, Guid turnId, int offset, TimeSpan maxWait)
    {
        EnsureOwner(userId);
        if (_turn is { } turn && turn.TurnId == turnId)
        {
            return await turn.ReadAsync(offset, maxWait > MaxReadWait ? MaxReadWait : maxWait);
        }

        // The turn ran in an earlier activation (or the silo that ran it died): answer from storage.
        var stored = await _store.FindReplyAsync(turnId) ?? throw new SessionNotFoundException("Turn not found.");
        offset = Math.Clamp(offset, 0, stored.Content.Length);
        return new ReplyProgress
        {
            Text = stored.Content[offset..],
            NextOffset = stored.Content.Length,
            Done = true,
            Status = stored.Status,
            ErrorCode = stored.Metadata.ErrorCode,
            Message = stored,
        };
    }

    public Task<bool> StopTurnAsync(Guid userId, Guid turnId)
    {
        EnsureOwner(userId);
        if (_turn is { IsFinished: false } turn && turn.TurnId == turnId)
        {
            turn.Cancel(MessageStatus.Stopped);
            return Task.FromResult(true);
        }

        return Task.FromResult(false);
    }

    public async Task<SessionInfo> RenameAsync(Guid userId, string title)
    {
        EnsureOwner(userId);
        ArgumentNullException.ThrowIfNull(title);
        await _store.WithWriteLockAsync(() => _store.CommitHeaderAsync(s => s.Title = SessionProjections.MakeTitle(title)));
        await UpdateIndexAsync(required: true);
        return ToInfo();
    }

    public async Task<bool> DeleteAsync(Guid userId)
    {
        if (!IsVisibleTo(userId))
        {
            return false;
        }

        await DeleteSessionAsync();
        return true;
    }

    public async Task<bool> ExpireIfIdleAsync()
    {
        if (S.Status == SessionStatus.Expiring ||
            (S.Exists && !TurnRunning && SessionExpiry.IsIdle(S.UpdatedAt, time.GetUtcNow(), _options)))
        {
            await DeleteSessionAsync();
            return true;
        }

        return false;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminderName || await ExpireIfIdleAsync())
        {
            return;
        }

        if (!S.Exists)
        {
            // A tick for a session that was never stored (a failed create) or is already gone.
            await UnregisterExpiryReminderAsync();
            DeactivateOnIdle();
            return;
        }

        // Touched since the reminder was set: move it to the new deadline instead of writing it on every message.
        await this.RegisterOrUpdateReminder(
            ExpiryReminderName, SessionExpiry.DueIn(S.UpdatedAt, time.GetUtcNow(), _options), SessionExpiry.ReminderPeriod(_options));
        LogExpiryMoved(S.Id, SessionExpiry.Deadline(S.UpdatedAt, _options));
    }

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

    private async Task CreateSessionAsync(Guid userId, PersonaRole role)
    {
        var now = time.GetUtcNow();

        // The reminder goes first: if the state write then fails, the stray reminder finds no session and removes
        // itself, whereas a stored session without a reminder would never expire.
        await this.RegisterOrUpdateReminder(ExpiryReminderName, _options.IdleTimeout, SessionExpiry.ReminderPeriod(_options));
        await _store.WithWriteLockAsync(() => _store.CommitHeaderAsync(s =>
        {
            s.Id = this.GetPrimaryKey();
            s.OwnerId = userId;
            s.Role = role;
            s.Title = "";
            s.CreatedAt = now;
            s.UpdatedAt = now;
            s.Status = SessionStatus.Active;

            // A tail holds at most a page of messages, so at most this many segments are unfolded at once.
            s.SegmentSlots = _options.PageMaxMessages;
        }));
        LogSessionCreated(S.Id, role);
    }

    /// <summary>Streams the reply and stores it; never throws.</summary>
    private async Task RunTurnAsync(ActiveTurn turn, InFlightTurn marker, List<ChatMessage> input)
    {
        var measured = metrics.StartTurn(S.Role);
        var outcome = await new ReplyGenerator(chatClient, _model, logger).GenerateAsync(turn, input, S.Id, measured);
        measured.Finish(outcome.Status, outcome.Metadata);
        await usage.RecordAsync(S.OwnerId, outcome.Metadata);
        var reply = new UnstoredReply(
            marker.TurnId, new NewMessage(MessageRole.Assistant, turn.Text) { Status = outcome.Status, Metadata = outcome.Metadata });
        if (await StoreReplyWithRetriesAsync(reply, turn.Cancellation.Token) is not { } stored)
        {
            // Storage stayed down: keep the reply, and store it before any later write or on a timer tick.
            LogReplyNotStored(S.Id, marker.TurnId);
            _store.HeldReply = reply;
            _heldReplyTimer ??= this.RegisterGrainTimer(
                _ => TryStoreHeldReplyAsync(), _options.UnstoredReplyRetryPeriod, _options.UnstoredReplyRetryPeriod);
            turn.Finish(null, MessageStatus.Failed, ErrorCodes.StorageUnavailable);
            return;
        }

        // Stored is what counts: a duplicate activation may have recorded this turn first (as interrupted).
        turn.Finish(stored, stored.Status, stored.Metadata.ErrorCode);
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
                return (await _store.WriteMessagesAsync([(reply.TurnId, reply.Message)]))[0];
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

    /// <summary>A held reply is stored at last: the turn's readers now see it.</summary>
    private void OnHeldReplyStored(SessionMessage stored)
    {
        _heldReplyTimer?.Dispose();
        _heldReplyTimer = null;
        LogHeldReplyStored(S.Id, stored.Id);
        if (_turn is { } turn && turn.TurnId == stored.Id)
        {
            turn.Finish(stored, stored.Status, stored.Metadata.ErrorCode);
        }
    }

    private async Task TryStoreHeldReplyAsync()
    {
        try
        {
            await _store.WithWriteLockAsync(_store.StoreHeldReplyAsync);
        }
        catch (Exception ex)
        {
            LogReplyWriteFailed(ex, S.Id, _store.HeldReply?.TurnId ?? Guid.Empty);
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
        // What is stored may be the whole reply instead: a duplicate activation that still ran the turn wrote it first.
        // Readers of the turn therefore get it from storage (ReadReplyAsync), never from an assumed outcome.
        await _store.WriteMessagesAsync([(marker.TurnId, interrupted)]);
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
        await _store.WithWriteLockAsync(async () =>
        {
            if (S.Status != SessionStatus.Expiring)
            {
                await _store.CommitHeaderAsync(s => s.Status = SessionStatus.Expiring);
            }

            _heldReplyTimer?.Dispose();
            _heldReplyTimer = null;
            await _store.DeleteRowsAsync();
            await GrainFactory.GetGrain<IUserSessionsGrain>(ownerId).RemoveAsync(sessionId);
            await _store.ClearHeaderAsync();
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
    private partial void LogHeldReplyStored(Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the user's session index could not be updated")]
    private partial void LogIndexNotUpdated(Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} expired after being idle")]
    private partial void LogSessionExpired(Guid sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId} was touched; expiry moved to {Deadline}")]
    private partial void LogExpiryMoved(Guid sessionId, DateTimeOffset deadline);
}
