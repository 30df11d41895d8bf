using Copilot.Grains.ChatModel;
using Copilot.Grains.Personas;
using Copilot.Grains.Storage;
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
/// Storage: a header row written rarely (<see cref="SessionState"/>), one segment row per write of messages
/// (<see cref="SessionSegment"/>), and sealed pages (<see cref="SessionPage"/>); see <see cref="MessageHistory"/>.
/// Every write runs under <see cref="_writes"/>, so two writes never overlap (a reply being stored, a rename, a seal);
/// header writes go through <see cref="CommitHeaderAsync"/>, which restores memory when the write fails; everything
/// else in memory changes only after its write succeeded. Placement prefers the silo that took the request: the reply
/// is read by many short polls from that same silo.
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
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable
{
    /// <summary>The name of the one reminder each session registers.</summary>
    public const string ExpiryReminderName = "expiry";

    /// <summary>Client message ids remembered for idempotent retries.</summary>
    public const int RecentTurnsKept = 16;

    /// <summary>Longest wait one reply read may ask for.</summary>
    public static readonly TimeSpan MaxReadWait = TimeSpan.FromSeconds(10);

    private readonly SessionsOptions _options = sessionOptions.Value;
    private readonly ChatModelOptions _model = modelOptions.Value;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly TurnMemory _recentTurns = new(RecentTurnsKept);
    private MessageHistory _history = null!;
    private SessionPageStore _pages = null!;
    private SegmentStore _segments = null!;
    private UnstoredReply? _unstoredReply;
    private IGrainTimer? _unstoredReplyTimer;
    private ActiveTurn? _turn;
    private Task? _generation;

    private SessionState S => state.State;

    private bool TurnRunning => _turn is { IsFinished: false };

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _pages = new SessionPageStore(rowStorage, this.GetPrimaryKey());
        _segments = new SegmentStore(rowStorage, this.GetPrimaryKey());
        _history = new MessageHistory(_options.PageMaxMessages, _options.PageMaxBytes);
        var segments = S.Id == Guid.Empty ? new List<SessionSegment>() : await _segments.ReadFromAsync(S.FirstOpenSegment, S.CreatedAt);
        _history.Load(S);
        _recentTurns.Load(S.RecentTurns);
        foreach (var segment in segments)
        {
            Observe(segment);
        }

        if (S.Exists && S.InFlight is { } marker)
        {
            LogRecoveringInterruptedTurn(S.Id, marker.TurnId);
            await FinishStaleTurnAsync(marker);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
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

        if (_unstoredReply is not null)
        {
            await TryStoreUnstoredReplyAsync();
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
        var stored = await WriteMessagesAsync(messages.Select(m => (Guid.NewGuid(), m)).ToList());
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
        await foreach (var message in _history.NewestFirstAsync(beforeSeq ?? long.MaxValue, ReadPageAsync))
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
        IsVisibleTo(userId) ? await _history.AllAsync(ReadPageAsync) : null;

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

        if (request.ClientMessageId is { } key && _recentTurns.Find(key) is { } prior)
        {
            var user = await _history.FindAsync(prior.UserMessageSeq, ReadPageAsync);
            return new TurnStarted { Session = ToInfo(), TurnId = prior.TurnId, UserMessage = user!, Replayed = true };
        }

        EnsureNoTurnRunning();
        if (S.InFlight is { } stale && _unstoredReply is null)
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
        var stored = (await WriteMessagesAsync([(userMessageId, userMessage)], marker))[0];

        var input = await ContextWindow.BuildAsync(
            S.Role, _history.NewestFirstAsync(long.MaxValue, ReadPageAsync), _options.ContextMaxMessages, _options.ContextBudgetChars);
        _turn?.Dispose();
        _turn = new ActiveTurn(turnId, _options.MaxReplyChars);
        _generation = RunTurnAsync(_turn, marker, input);
        await UpdateIndexAsync(required: created);
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
        await WithWriteLockAsync(() => CommitHeaderAsync(s => s.Title = SessionProjections.MakeTitle(title)));
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
}
