using System.Text.Json;
using Copilot.Grains.ChatModel;
using Copilot.Grains.Personas;
using Copilot.Grains.Storage;
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
/// Writes go through <see cref="CommitAsync"/>, which restores the in-memory state when the write fails, so memory
/// never holds a message that storage does not. Only one write runs at a time: every writing call is refused while a
/// turn is generating (<see cref="TurnInFlightException"/>), and the turn's own final write ends the turn.
/// Placement prefers the silo that took the request: the reply is read by many short polls from that same silo.
/// </remarks>
[PreferLocalPlacement]
internal sealed partial class SessionGrain(
    [PersistentState(CopilotStorage.SessionStateName, CopilotStorage.ProviderName)]
    IPersistentState<SessionState> state,
    [FromKeyedServices(CopilotStorage.ProviderName)] IGrainStorage pageStorage,
    IChatClient chatClient,
    IOptions<SessionsOptions> sessionOptions,
    IOptions<ChatModelOptions> modelOptions,
    [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable
{
    /// <summary>The name of the one reminder each session registers.</summary>
    public const string ExpiryReminderName = "expiry";

    /// <summary>Client message ids remembered for idempotent retries.</summary>
    public const int RecentTurnsKept = 16;

    /// <summary>Longest title kept, in characters.</summary>
    public const int TitleMaxChars = 80;

    /// <summary>Longest wait one reply read may ask for.</summary>
    public static readonly TimeSpan MaxReadWait = TimeSpan.FromSeconds(10);

    private readonly SessionsOptions _options = sessionOptions.Value;
    private readonly ChatModelOptions _model = modelOptions.Value;

    private ActiveTurn? _turn;
    private Task? _generation;
    private int _openPageBytes;
    private SessionPageStore? _pages;

    private SessionState S => state.State;

    private SessionPageStore Pages => _pages ??= new SessionPageStore(pageStorage, this.GetPrimaryKey());

    private bool TurnRunning => _turn is { IsFinished: false };

    private CopilotMetrics Metrics => ServiceProvider.GetRequiredService<CopilotMetrics>(); // telemetry

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _openPageBytes = S.Messages.Sum(MeasureBytes);
        if (S.Exists && S.InFlight is { } marker)
        {
            LogRecoveringInterruptedTurn(S.Id, marker.TurnId);
            await FinishStaleTurnAsync(marker);
        }

        Metrics.SessionActivated(); // telemetry: active sessions
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Metrics.SessionDeactivated(); // telemetry: active sessions
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
    }

    public async Task<SessionInfo> CreateAsync(Guid userId, PersonaRole role)
    {
        if (S.Exists)
        {
            EnsureOwner(userId);
            return S.Role == role ? ToInfo() : throw new RoleMismatchException();
        }

        await CreateSessionAsync(userId, role);
        return ToInfo();
    }

    public async Task<IReadOnlyList<SessionMessage>> AppendAsync(Guid userId, IReadOnlyList<NewMessage> messages)
    {
        EnsureOwner(userId);
        ArgumentNullException.ThrowIfNull(messages);
        EnsureNoTurnRunning();
        var stored = new List<SessionMessage>(messages.Count);
        await CommitAsync(async () =>
        {
            foreach (var message in messages)
            {
                stored.Add(await AddMessageAsync(
                    Guid.NewGuid(), message.Role, message.Content, message.Status, message.Metadata));
            }
        });
        await TouchIndexAsync();
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
        await foreach (var message in NewestFirstAsync(beforeSeq ?? long.MaxValue))
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

    public async Task<IReadOnlyList<SessionMessage>?> GetAllMessagesAsync(Guid userId)
    {
        if (!IsVisibleTo(userId))
        {
            return null;
        }

        // Snapshot first: a turn finishing while the pages are read may seal the open page, but only into page
        // numbers past the snapshot, and sealed pages never change.
        var sealedCount = S.SealedPageCount;
        var open = S.Messages.ToArray();
        var all = new List<SessionMessage>(checked((int)S.MessageCount));
        for (var page = 0; page < sealedCount; page++)
        {
            all.AddRange((await ReadPageAsync(page)).Messages);
        }

        all.AddRange(open);
        return all;
    }

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

            await CreateSessionAsync(userId, request.Role ?? Personas.Personas.Default, indexNow: false);
            created = true;
        }

        EnsureOwner(userId);
        if (request.Role is { } role && role != S.Role)
        {
            throw new RoleMismatchException();
        }

        if (request.ClientMessageId is { } key && S.RecentTurns.Find(t => t.ClientMessageId == key) is { } prior)
        {
            return new TurnStarted
            {
                Session = ToInfo(),
                TurnId = prior.TurnId,
                UserMessage = await FindMessageAsync(prior.UserMessageSeq),
                Replayed = true,
            };
        }

        EnsureNoTurnRunning();
        if (S.InFlight is { } stale)
        {
            await FinishStaleTurnAsync(stale);
        }

        var turnId = Guid.NewGuid();
        SessionMessage userMessage = null!;
        await CommitAsync(async () =>
        {
            userMessage = await AddMessageAsync(
                Guid.NewGuid(),
                MessageRole.User,
                request.Content,
                MessageStatus.Complete,
                request.ClientMessageId is null ? MessageMetadata.None : new MessageMetadata { ClientMessageId = request.ClientMessageId });
            S.InFlight = new InFlightTurn
            {
                TurnId = turnId,
                UserMessageId = userMessage.Id,
                StartedAt = userMessage.CreatedAt,
                Model = _model.EffectiveModel,
            };
            if (request.ClientMessageId is { } clientId)
            {
                S.RecentTurns.Add(new RecentTurn
                {
                    ClientMessageId = clientId,
                    TurnId = turnId,
                    UserMessageId = userMessage.Id,
                    UserMessageSeq = userMessage.Seq,
                });
                if (S.RecentTurns.Count > RecentTurnsKept)
                {
                    S.RecentTurns.RemoveRange(0, S.RecentTurns.Count - RecentTurnsKept);
                }
            }
        });

        if (created)
        {
            await TouchIndexAsync(required: true);
        }

        var input = await BuildModelInputAsync();
        _turn?.Dispose();
        _turn = new ActiveTurn(turnId, _options.MaxReplyChars);
        _generation = GenerateAsync(_turn, S.InFlight!, input);
        return new TurnStarted { Session = ToInfo(), TurnId = turnId, UserMessage = userMessage, Created = created };
    }

    public async Task<ReplyProgress> ReadReplyAsync(Guid userId, Guid turnId, int offset, TimeSpan maxWait)
    {
        EnsureOwner(userId);
        if (_turn is { } turn && turn.TurnId == turnId)
        {
            return await turn.ReadAsync(offset, maxWait > MaxReadWait ? MaxReadWait : maxWait);
        }

        // The turn ran in an earlier activation (or the silo that ran it died): answer from storage.
        var stored = await FindReplyAsync(turnId) ?? throw new SessionNotFoundException("Turn not found.");
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
        EnsureNoTurnRunning();
        await CommitAsync(() =>
        {
            S.Title = MakeTitle(title);
            return Task.CompletedTask;
        });
        await TouchIndexAsync(required: true);
        return ToInfo();
    }

    public async Task<bool> DeleteAsync(Guid userId)
    {
        if (!IsVisibleTo(userId))
        {
            return false;
        }

        if (_generation is { IsCompleted: false } generation && _turn is { } turn)
        {
            turn.Cancel(MessageStatus.Stopped);
            await generation;
        }

        await DeleteSessionAsync();
        return true;
    }

    public async Task<bool> ExpireIfIdleAsync()
    {
        if (S.Status == SessionStatus.Expiring)
        {
            await DeleteSessionAsync();
            return true;
        }

        if (!S.Exists || TurnRunning || time.GetUtcNow() < IdleDeadline)
        {
            return false;
        }

        await DeleteSessionAsync();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminderName)
        {
            return;
        }

        if (await ExpireIfIdleAsync())
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
        var dueIn = IdleDeadline - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(
            ExpiryReminderName, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, ReminderPeriod);
        LogExpiryMoved(S.Id, IdleDeadline);
    }

    private DateTimeOffset IdleDeadline => S.UpdatedAt + _options.IdleTimeout;

    private TimeSpan ReminderPeriod =>
        _options.IdleTimeout > _options.ReminderMinimumPeriod ? _options.IdleTimeout : _options.ReminderMinimumPeriod;

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

    private async Task CreateSessionAsync(Guid userId, PersonaRole role, bool indexNow = true)
    {
        var now = time.GetUtcNow();

        // The reminder goes first: if the state write then fails, the stray reminder finds no session and removes
        // itself, whereas a stored session without a reminder would never expire.
        await this.RegisterOrUpdateReminder(ExpiryReminderName, _options.IdleTimeout, ReminderPeriod);
        await CommitAsync(() =>
        {
            S.Id = this.GetPrimaryKey();
            S.OwnerId = userId;
            S.Role = role;
            S.Title = "";
            S.CreatedAt = now;
            S.UpdatedAt = now;
            S.Status = SessionStatus.Active;
            S.ExpiryDueAt = now + _options.IdleTimeout;
            return Task.CompletedTask;
        });
        LogSessionCreated(S.Id, role);
        if (indexNow)
        {
            await TouchIndexAsync(required: true);
        }
    }

    /// <summary>Applies <paramref name="change"/> and writes the state; on failure, memory goes back to what is stored.</summary>
    private async Task CommitAsync(Func<Task> change)
    {
        var before = state.State with
        {
            Messages = [.. S.Messages],
            RecentTurns = [.. S.RecentTurns],
            SealedPageStarts = [.. S.SealedPageStarts],
        };
        var bytesBefore = _openPageBytes;
        try
        {
            await change();
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            _openPageBytes = bytesBefore;
            Pages.Forget(S.SealedPageCount);
            throw;
        }
    }

    /// <summary>Adds one message to the open page, sealing the page first when the message would overflow it.</summary>
    private async Task<SessionMessage> AddMessageAsync(
        Guid id, MessageRole role, string content, MessageStatus status, MessageMetadata metadata)
    {
        var now = time.GetUtcNow();
        var message = new SessionMessage
        {
            Id = id,
            Seq = S.MessageCount,
            Role = role,
            Content = content,
            CreatedAt = now,
            Status = status,
            Metadata = metadata,
        };
        var bytes = MeasureBytes(message);
        if (S.Messages.Count > 0 &&
            (S.Messages.Count >= _options.PageMaxMessages ||
             SessionsOptions.HeaderReserveBytes + _openPageBytes + bytes > _options.PageMaxBytes))
        {
            await SealOpenPageAsync();
        }

        S.Messages.Add(message);
        _openPageBytes += bytes;
        S.MessageCount++;
        S.UpdatedAt = now;
        if (S.Title.Length == 0 && role == MessageRole.User)
        {
            S.Title = MakeTitle(content);
        }

        return message;
    }

    private async Task SealOpenPageAsync()
    {
        var page = new SessionPage { SessionId = S.Id, PageNumber = S.SealedPageCount, Messages = [.. S.Messages] };
        await Pages.WriteAsync(page);
        S.SealedPageStarts.Add(page.Messages[0].Seq);
        S.SealedPageCount++;
        S.Messages.Clear();
        _openPageBytes = 0;
    }

    private Task<SessionPage> ReadPageAsync(int pageNumber) =>
        Pages.ReadAsync(pageNumber, isNewest: pageNumber == S.SealedPageCount - 1);

    /// <summary>Messages with a sequence number below <paramref name="beforeSeq"/>, newest first, reading sealed pages as needed.</summary>
    private async IAsyncEnumerable<SessionMessage> NewestFirstAsync(long beforeSeq)
    {
        var open = S.Messages.ToArray();
        var starts = S.SealedPageStarts.ToArray();
        for (var i = open.Length - 1; i >= 0; i--)
        {
            if (open[i].Seq < beforeSeq)
            {
                yield return open[i];
            }
        }

        var pageNumber = Array.BinarySearch(starts, Math.Max(0, beforeSeq - 1));
        pageNumber = pageNumber >= 0 ? pageNumber : ~pageNumber - 1;
        for (; pageNumber >= 0; pageNumber--)
        {
            var page = await ReadPageAsync(pageNumber);
            for (var i = page.Messages.Count - 1; i >= 0; i--)
            {
                if (page.Messages[i].Seq < beforeSeq)
                {
                    yield return page.Messages[i];
                }
            }
        }
    }

    private async Task<SessionMessage> FindMessageAsync(long seq)
    {
        await foreach (var message in NewestFirstAsync(seq + 1))
        {
            return message;
        }

        throw new InvalidOperationException($"Message {seq} of session {S.Id} is missing.");
    }

    private async Task<SessionMessage?> FindReplyAsync(Guid turnId)
    {
        // Replies are looked up only shortly after their turn, so the newest few messages suffice.
        var looked = 0;
        await foreach (var message in NewestFirstAsync(long.MaxValue))
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

    /// <summary>The model input: the persona's prompt, then the newest history that fits the budget, oldest first.</summary>
    /// <remarks>The new user message is already the newest stored message, so it is included exactly once.</remarks>
    private async Task<List<ChatMessage>> BuildModelInputAsync()
    {
        var history = new List<ChatMessage>();
        var chars = 0;
        await foreach (var message in NewestFirstAsync(long.MaxValue))
        {
            if (message.Role == MessageRole.System || message.Content.Length == 0)
            {
                continue;
            }

            if (history.Count > 0 &&
                (history.Count >= _options.ContextMaxMessages || chars + message.Content.Length > _options.ContextBudgetChars))
            {
                break;
            }

            chars += message.Content.Length;
            history.Add(new ChatMessage(
                message.Role == MessageRole.User ? ChatRole.User : ChatRole.Assistant, message.Content));
        }

        history.Add(new ChatMessage(ChatRole.System, Personas.Personas.SystemPrompt(S.Role)));
        history.Reverse();
        return history;
    }

    /// <summary>Streams the model's reply into <paramref name="turn"/> and stores it; never throws.</summary>
    private async Task GenerateAsync(ActiveTurn turn, InFlightTurn marker, List<ChatMessage> input)
    {
        var status = MessageStatus.Complete;
        string? errorCode = null;
        string? model = null;
        UsageDetails? usage = null;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(turn.Cancellation.Token);
        var chatOptions = new ChatOptions
        {
            ModelId = _model.EffectiveModel,
            Temperature = _model.Temperature,
            MaxOutputTokens = _model.MaxOutputTokens,
        };
        var measured = Metrics.StartTurn(S.Role); // telemetry: turn timing
        try
        {
            idle.CancelAfter(_model.Timeout);
            await foreach (var update in chatClient.GetStreamingResponseAsync(input, chatOptions, idle.Token))
            {
                idle.CancelAfter(_model.Timeout);
                model ??= update.ModelId;
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent usageContent)
                    {
                        usage = usageContent.Details;
                    }
                }

                turn.Append(update.Text);
                measured.Text(update.Text); // telemetry: time to first token
                if (turn.IsFull)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (turn.CancelledAs is { } reason)
        {
            status = reason;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            status = MessageStatus.Failed;
            errorCode = ErrorCodes.ModelTimeout;
        }
        catch (ChatModelException ex)
        {
            status = MessageStatus.Failed;
            errorCode = ex.Code;
            LogModelFailed(ex, S.Id, ex.Code);
        }
        catch (Exception ex)
        {
            status = MessageStatus.Failed;
            errorCode = ErrorCodes.ModelError;
            LogModelFailed(ex, S.Id, errorCode);
        }

        var metadata = new MessageMetadata
        {
            Model = model ?? marker.Model,
            InputTokens = usage?.InputTokenCount,
            OutputTokens = usage?.OutputTokenCount,
            ErrorCode = errorCode,
        };
        measured.Finish(status, errorCode, usage); // telemetry: outcome, duration, tokens
        await ServiceProvider.GetRequiredService<ModelUsage>().RecordAsync(S.OwnerId, metadata); // usage: daily token quota
        try
        {
            var reply = await StoreReplyAsync(marker, turn.Text, status, metadata);
            turn.Finish(reply, status, errorCode);
        }
        catch (Exception ex)
        {
            // Storage is down: the marker stays, and the next send or activation records the turn as interrupted.
            LogReplyNotStored(ex, S.Id, marker.TurnId);
            turn.Finish(null, MessageStatus.Failed, ErrorCodes.StorageUnavailable);
            return;
        }

        await TouchIndexAsync();
    }

    private async Task<SessionMessage> StoreReplyAsync(
        InFlightTurn marker, string content, MessageStatus status, MessageMetadata metadata)
    {
        SessionMessage reply = null!;
        await CommitAsync(async () =>
        {
            reply = await AddMessageAsync(marker.TurnId, MessageRole.Assistant, content, status, metadata);
            S.InFlight = null;
        });
        return reply;
    }

    /// <summary>Records a turn whose activation died (or whose reply could not be stored) as interrupted.</summary>
    private async Task FinishStaleTurnAsync(InFlightTurn marker)
    {
        var reply = await StoreReplyAsync(
            marker, "", MessageStatus.Interrupted, new MessageMetadata { Model = marker.Model, ErrorCode = ErrorCodes.Interrupted });
        _turn?.Dispose();
        _turn = new ActiveTurn(marker.TurnId, 0);
        _turn.Finish(reply, MessageStatus.Interrupted, ErrorCodes.Interrupted);
    }

    private async Task DeleteSessionAsync()
    {
        var sessionId = S.Id;
        var ownerId = S.OwnerId;
        if (S.Status != SessionStatus.Expiring)
        {
            // From here the session is invisible everywhere; an interrupted deletion resumes on the next tick.
            S.Status = SessionStatus.Expiring;
            await state.WriteStateAsync();
        }

        await Pages.DeleteAllAsync(S.SealedPageCount);

        await GrainFactory.GetGrain<IUserSessionsGrain>(ownerId).RemoveAsync(sessionId);
        await state.ClearStateAsync();
        await UnregisterExpiryReminderAsync();
        _turn?.Dispose();
        _turn = null;
        _openPageBytes = 0;
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

    private async Task TouchIndexAsync(bool required = false)
    {
        var summary = new SessionSummary
        {
            Id = S.Id,
            Title = S.Title,
            Role = S.Role,
            CreatedAt = S.CreatedAt,
            UpdatedAt = S.UpdatedAt,
            MessageCount = S.MessageCount,
        };
        try
        {
            await GrainFactory.GetGrain<IUserSessionsGrain>(S.OwnerId).UpsertAsync(summary);
        }
        catch (Exception ex) when (!required)
        {
            // The messages are stored; the list catches up on the session's next touch.
            LogIndexNotUpdated(ex, S.Id);
        }
    }

    private SessionInfo ToInfo() => new()
    {
        Id = S.Id,
        OwnerId = S.OwnerId,
        Role = S.Role,
        Title = S.Title,
        CreatedAt = S.CreatedAt,
        UpdatedAt = S.UpdatedAt,
        MessageCount = S.MessageCount,
        TurnInFlight = TurnRunning,
        InFlightTurnId = TurnRunning ? _turn!.TurnId : null,
    };

    private static int MeasureBytes(SessionMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, CopilotStorage.JsonOptions).Length + 1;

    private static string MakeTitle(string content)
    {
        var line = string.Join(' ', content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= TitleMaxChars ? line : string.Concat(line.AsSpan(0, TitleMaxChars - 1), "…");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} created with persona {Role}")]
    private partial void LogSessionCreated(Guid sessionId, PersonaRole role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: turn {TurnId} was in flight when its activation ended; recording it as interrupted")]
    private partial void LogRecoveringInterruptedTurn(Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the chat model failed ({ErrorCode})")]
    private partial void LogModelFailed(Exception exception, Guid sessionId, string errorCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: the reply of turn {TurnId} could not be stored")]
    private partial void LogReplyNotStored(Exception exception, Guid sessionId, Guid turnId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the user's session index could not be updated")]
    private partial void LogIndexNotUpdated(Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} expired after being idle")]
    private partial void LogSessionExpired(Guid sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId} was touched; expiry moved to {Deadline}")]
    private partial void LogExpiryMoved(Guid sessionId, DateTimeOffset deadline);
}
