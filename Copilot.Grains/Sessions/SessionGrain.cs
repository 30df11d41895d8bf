using Copilot.Grains.ChatModel;
using Copilot.Grains.Feedback;
using Copilot.Grains.Files;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions.Lifecycle;
using Copilot.Grains.Sessions.Storage;
using Copilot.Grains.Sessions.Turns;
using Copilot.Grains.Shares;
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
/// through <see cref="SessionStore"/>; a reply is stored through <see cref="ReplyWriter"/>; creation, deletion and expiry
/// are <see cref="SessionLifecycle"/>'s. Placement prefers the silo
/// that took the request: the reply's reader there reads it in place (<see cref="LocalReplies"/>); a reader on another
/// silo polls.
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
    UserLimits usage,
    IFileStore files,
    IFeedbackStore feedbackStore,
    IShareStore shareStore,
    LocalReplies localReplies,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable
{
    private readonly SessionsOptions _options = sessionOptions.Value;
    private readonly ChatModelOptions _model = modelOptions.Value;

    private SessionStore _store = null!;
    private ReplyWriter _replies = null!;
    private TurnRunner _turns = null!;
    private SessionLifecycle _lifecycle = null!;
    private SendPlanner _sends = null!;
    private SessionIndexWriter _index = null!;
    private FeedbackBook _feedback = null!;
    private SessionShares _shares = null!;

    private SessionState Header => _store.Header;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _index = new SessionIndexWriter(GrainFactory, () => Header, () => _turns.IsRunning, logger);
        _store = new SessionStore(
            state, rowStorage, this.GetPrimaryKey(), _options, time, logger, DeactivateOnIdle, stored => _turns.HeldReplyWritten(stored));
        _replies = new ReplyWriter(_store, this, _options, logger, () => _index.UpdateAsync());
        _turns = new TurnRunner(
            _store, new ReplyGenerator(chatClient, _model, logger), _replies, _options, _model, time, metrics, usage, files, localReplies, () => _index.UpdateAsync());
        _sends = new SendPlanner(_store, _turns);
        _feedback = new FeedbackBook(feedbackStore, _store, time, metrics);
        _shares = new SessionShares(shareStore, _store, _options.MaxSharesPerUser, time);
        _lifecycle = new SessionLifecycle(
            _store, _turns, _replies, new ExpiryReminder(this, _options, time), usage,
            new SessionDependents(files, _shares, _feedback, GrainFactory), _options, time, DeactivateOnIdle, logger);
        await _store.LoadAsync();
        await _lifecycle.ResumeInterruptedDeletionAsync();
        if (Header.Exists && Header.InFlight is { } marker)
        {
            LogRecoveringInterruptedTurn(Header.Id, marker.TurnId);
            await _turns.FinishStaleAsync(marker);
        }

        metrics.SessionActivated();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.SessionDeactivated();

        // A stopping silo gives the reply a grace period to finish, then stores what arrived as interrupted.
        await _turns.LetFinishAsync(_options.TurnShutdownGrace, cancellationToken);
        await _replies.StoreHeldReplyAsync();
    }

    public async Task<SessionInfo> CreateAsync(Guid userId, PersonaRole role)
    {
        if (Header.Exists)
        {
            EnsureOwner(userId);
            return Header.Role == role ? ToInfo() : throw new RoleMismatchException();
        }

        await _lifecycle.CreateAsync(userId, role, title: "");
        await _index.UpdateAsync(required: true);
        return ToInfo();
    }

    public async Task<IReadOnlyList<SessionMessage>> AppendAsync(Guid userId, IReadOnlyList<NewMessage> messages)
    {
        EnsureOwner(userId);
        ArgumentNullException.ThrowIfNull(messages);
        _turns.EnsureNoneRunning();
        if (messages.Count == 0)
        {
            return [];
        }

        var stored = await _store.WriteMessagesAsync(messages.Select(m => (Guid.NewGuid(), m)).ToList());
        await _index.UpdateAsync();
        return stored;
    }

    public Task<SessionInfo?> GetInfoAsync(Guid userId) =>
        Task.FromResult(IsVisibleTo(userId) ? ToInfo() : null);

    public async Task<MessagePage?> GetMessagesAsync(Guid userId, long? beforeSeq, int limit) =>
        IsVisibleTo(userId) ? await WithFeedbackAsync(await _store.ActivePathPageAsync(beforeSeq, limit)) : null;

    public async Task<MessagePage?> GetMessagesAroundAsync(Guid userId, Guid messageId, int limit) =>
        IsVisibleTo(userId) ? await WithFeedbackAsync(await _store.ActivePathAroundAsync(messageId, limit)) : null;

    public async Task<MessagePage?> GetMessagesAfterAsync(Guid userId, long afterSeq, int limit) =>
        IsVisibleTo(userId) ? await WithFeedbackAsync(await _store.ActivePathAfterAsync(afterSeq, limit)) : null;

    /// <summary>The page with the ratings of its replies, whichever way it was read.</summary>
    private async Task<MessagePage> WithFeedbackAsync(MessagePage page) =>
        page with { Feedback = await _feedback.OfAsync(page.Messages) };

    public async Task<IReadOnlyList<SessionMessage>?> GetAllMessagesAsync(Guid userId) =>
        IsVisibleTo(userId) ? ConversationTree.ResolveParents(await _store.History.AllAsync(_store.ReadPageAsync)) : null;

    public async Task<IReadOnlyList<SessionMessage>?> GetActivePathAsync(Guid userId) =>
        IsVisibleTo(userId) ? await _store.ActivePathAsync() : null;

    public async Task<Guid?> SwitchBranchAsync(Guid userId, string messageId)
    {
        EnsureOwner(userId);
        ArgumentNullException.ThrowIfNull(messageId);
        _turns.EnsureNoneRunning();
        return await _store.SwitchThroughAsync(messageId);
    }

    public async Task<TurnStarted> StartTurnAsync(Guid userId, TurnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var created = await EnsureSessionForTurnAsync(userId, request);
        var held = created ? null : await _sends.FindHeldMessageAsync(request);
        if (request.RetryOnly && held is null)
        {
            throw new SessionNotFoundException("Not a retry of this session's unanswered question.");
        }

        if (held is not null && !request.Regenerate && SendPlanner.AsksSame(held, request) && await _sends.FindAnswerAsync(held) is { } turnId)
        {
            return new TurnStarted { Session = ToInfo(), TurnId = turnId, UserMessage = held, Replayed = true };
        }

        _turns.EnsureNoneRunning();
        if (Header.InFlight is { } stale && _store.HeldReply is null)
        {
            await _turns.FinishStaleAsync(stale);
        }

        var (marker, user) = await _sends.StoreQuestionAsync(request, held);
        try
        {
            await _turns.StartAsync(marker, user, request.StreamSlot);
        }
        finally
        {
            // A new session is in its user's list, with its title, before the send is answered (also when its turn
            // failed to start: the question is stored, and the retry must find it): written while the model prepares its
            // first text, not before it is asked. If the list cannot take it now, the session's next touch lists it;
            // failing the send here would have its retry store the question again.
            await (created ? _index.ListStoredAsync() : _index.UpdateAsync());
        }

        return new TurnStarted { Session = ToInfo(), TurnId = marker.TurnId, UserMessage = user, Created = created };
    }

    public async Task<ReplyProgress> ReadReplyAsync(Guid userId, Guid turnId, int offset, TimeSpan maxWait, TimeSpan gather = default)
    {
        EnsureOwner(userId);
        return await _turns.ReadAsync(turnId, offset, maxWait, gather);
    }

    public Task<bool> StopTurnAsync(Guid userId, Guid turnId)
    {
        EnsureOwner(userId);
        return Task.FromResult(_turns.Stop(turnId));
    }

    public async Task<SessionInfo> RenameAsync(Guid userId, string title)
    {
        EnsureOwner(userId);
        ArgumentNullException.ThrowIfNull(title);
        await _store.WithWriteLockAsync(() => _store.CommitHeaderAsync(s => s.Title = SessionProjections.MakeTitle(title)));
        await _index.UpdateAsync(required: true);
        return ToInfo();
    }

    public async Task<bool> DeleteAsync(Guid userId)
    {
        if (!IsVisibleTo(userId) && !_lifecycle.IsBeingDeletedFor(userId))
        {
            return false;
        }

        await _lifecycle.DeleteAsync();
        return true;
    }

    public async Task<FeedbackAnswer> SetFeedbackAsync(Guid userId, Guid messageId, MessageFeedback? feedback)
    {
        EnsureOwner(userId);
        if (_turns.RunningTurnId == messageId)
        {
            throw new TurnInFlightException();
        }

        return await _feedback.SetAsync(messageId, feedback);
    }

    public async Task<NewShare> CreateShareAsync(Guid userId, TimeSpan lifetime)
    {
        EnsureOwner(userId);
        return await _shares.CreateAsync(lifetime);
    }

    public async Task<IReadOnlyList<ShareInfo>?> ListSharesAsync(Guid userId) =>
        IsVisibleTo(userId) ? await _shares.ListAsync() : null;

    public async Task<bool> RevokeShareAsync(Guid userId, string shareId)
    {
        EnsureOwner(userId);
        return await _shares.RevokeAsync(shareId);
    }

    public Task<bool> ExpireIfIdleAsync() => _lifecycle.ExpireIfIdleAsync();

    public Task ReceiveReminder(string reminderName, TickStatus status) => _lifecycle.OnReminderAsync(reminderName);

    private bool IsVisibleTo(Guid userId) => Header.Exists && Header.OwnerId == userId;

    private void EnsureOwner(Guid userId)
    {
        if (!IsVisibleTo(userId))
        {
            throw new SessionNotFoundException();
        }
    }

    private SessionInfo ToInfo() => SessionProjections.ToInfo(Header, _turns.RunningTurnId);

    /// <summary>Creates the session a turn asks for when it may; returns whether it did. Throws when the session is not
    /// this user's or was created with another persona.</summary>
    private async Task<bool> EnsureSessionForTurnAsync(Guid userId, TurnRequest request)
    {
        var create = !Header.Exists;
        if (create)
        {
            if (!request.CreateIfMissing || Header.Status == SessionStatus.Expiring)
            {
                throw new SessionNotFoundException();
            }

            // Titled by the question it is created for (the title its first message would give it), so that the header
            // is written once before the model is asked, not again after the question.
            await _lifecycle.CreateAsync(userId, request.Role ?? Personas.Personas.Default, SessionProjections.MakeTitle(request.Content));
        }

        EnsureOwner(userId);
        if (request.Role is { } role && role != Header.Role)
        {
            throw new RoleMismatchException();
        }

        return create;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: turn {TurnId} was in flight when its activation ended; recording it as interrupted")]
    private partial void LogRecoveringInterruptedTurn(Guid sessionId, Guid turnId);
}
