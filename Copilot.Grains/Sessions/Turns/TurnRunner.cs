using Copilot.Grains.ChatModel;
using Copilot.Grains.Files;
using Copilot.Grains.Sessions.Storage;
using Copilot.Grains.Telemetry;
using Copilot.Grains.Usage;
using Microsoft.Extensions.AI;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>The turns of one activation: stores a turn's user message, runs its reply in the background, answers the
/// reply's readers (from memory while it runs here, else from storage), and stops it.</summary>
/// <remarks>Lives in the session grain's activation and runs on its scheduler; one turn runs at a time.</remarks>
internal sealed class TurnRunner(
    SessionStore store,
    ReplyGenerator generator,
    ReplyWriter replies,
    SessionsOptions options,
    ChatModelOptions model,
    TimeProvider time,
    CopilotMetrics metrics,
    UserLimits usage,
    IFileStore files,
    LocalReplies local,
    Func<Task> replyStored)
{
    /// <summary>Longest wait one reply read may ask for.</summary>
    public static readonly TimeSpan MaxReadWait = TimeSpan.FromSeconds(10);

    private ActiveTurn? _turn;
    private Task? _generation;

    public bool IsRunning => _turn is { IsFinished: false };

    public Guid? RunningTurnId => IsRunning ? _turn!.TurnId : null;

    /// <summary>Whether <paramref name="turnId"/> runs, or ran, in this activation (its readers are served from memory).</summary>
    public bool Knows(Guid turnId) => _turn?.TurnId == turnId;

    /// <exception cref="TurnInFlightException">A turn is running: one at a time keeps the history in order.</exception>
    public void EnsureNoneRunning()
    {
        if (IsRunning)
        {
            throw new TurnInFlightException();
        }
    }

    /// <summary>Stores the turn's user message together with the marker of the turn now in flight: a child of the
    /// active leaf, or of <paramref name="parentId"/> next to <paramref name="siblings"/> (an edit).</summary>
    public async Task<(InFlightTurn Marker, SessionMessage Stored)> StoreUserMessageAsync(
        TurnRequest request, Guid? parentId = null, IReadOnlyList<Guid>? siblings = null)
    {
        var userMessage = new NewMessage(MessageRole.User, request.Content)
        {
            Files = request.Files is { Count: > 0 } files ? files : null,
            Metadata = request.ClientMessageId is null ? MessageMetadata.None : new MessageMetadata { ClientMessageId = request.ClientMessageId },
        };
        var marker = new InFlightTurn
        {
            TurnId = Guid.NewGuid(),
            UserMessageId = Guid.NewGuid(),
            StartedAt = time.GetUtcNow(),
            Model = model.EffectiveModel,
        };
        var stored = await store.WriteMessagesAsync([(marker.UserMessageId, userMessage)], marker, parentId, siblings);
        return (marker, stored[0]);
    }

    /// <summary>Stores the marker of a new reply to the stored <paramref name="user"/> message, next to its earlier
    /// replies: a regenerate, or a retry of a failed reply. Nothing else is written before the reply.</summary>
    public async Task<InFlightTurn> StoreNewReplyMarkerAsync(SessionMessage user)
    {
        var siblings = await store.Tree.ChildrenAsync(store.History, store.ReadPageAsync, user);
        var marker = new InFlightTurn
        {
            TurnId = Guid.NewGuid(),
            UserMessageId = user.Id,
            StartedAt = time.GetUtcNow(),
            Model = model.EffectiveModel,
        };
        await store.WriteMessagesAsync([], marker, user.Id, siblings);
        return marker;
    }

    /// <summary>Starts generating the reply of the turn <paramref name="marker"/> describes to the stored
    /// <paramref name="user"/> message; the model sees the path that ends with it. The turn holds the user's stream slot
    /// <paramref name="slot"/> until it ends.</summary>
    public async Task StartAsync(InFlightTurn marker, SessionMessage user, Guid? slot)
    {
        var input = await ContextWindow.BuildAsync(
            store.Header.Role,
            store.Tree.PathAsync(store.History, store.ReadPageAsync, user),
            options.ContextMaxMessages,
            options.ContextBudgetChars,
            options.ContextMaxImages,
            file => files.ReadBytesAsync(store.Header.OwnerId, file.Id));
        _turn?.Dispose();
        _turn = new ActiveTurn(marker.TurnId, options.MaxReplyChars, model.InlineStreamReads);
        local.Add(store.Header.OwnerId, _turn);
        _generation = RunAsync(_turn, marker, input, usage.HoldSlot(store.Header.OwnerId, slot));
    }

    /// <summary>The reply of <paramref name="turnId"/> from <paramref name="offset"/> (see
    /// <see cref="ISessionGrain.ReadReplyAsync"/>).</summary>
    /// <exception cref="SessionNotFoundException">The turn is neither running here nor stored.</exception>
    public async Task<ReplyProgress> ReadAsync(Guid turnId, int offset, TimeSpan maxWait, TimeSpan gather)
    {
        if (_turn is { } turn && turn.TurnId == turnId)
        {
            return await turn.ReadAsync(offset, CapReadWait(maxWait), CapReadWait(gather));
        }

        // The turn ran in an earlier activation (or the silo that ran it died): answer from storage.
        var stored = await store.FindReplyAsync(turnId) ?? throw new SessionNotFoundException("Turn not found.");
        offset = Math.Clamp(offset, 0, stored.Content.Length);
        return new ReplyProgress
        {
            Text = stored.Content[offset..],
            NextOffset = stored.Content.Length,
            Done = true,
            Status = stored.Status,
            ErrorCode = stored.Metadata.ErrorCode,
            Message = stored,
            Versions = VersionsOf(stored),
        };
    }

    /// <summary><paramref name="wait"/>, or <see cref="MaxReadWait"/> if longer.</summary>
    public static TimeSpan CapReadWait(TimeSpan wait) => wait > MaxReadWait ? MaxReadWait : wait;

    /// <summary>Stops the running turn <paramref name="turnId"/>; false when it is not running here.</summary>
    public bool Stop(Guid turnId)
    {
        if (_turn is { IsFinished: false } turn && turn.TurnId == turnId)
        {
            turn.Cancel(MessageStatus.Stopped);
            return true;
        }

        return false;
    }

    /// <summary>Stops a reply in flight and waits until what arrived is stored.</summary>
    public async Task StopAndWaitAsync()
    {
        if (_generation is { IsCompleted: false } generation && _turn is { } turn)
        {
            turn.Cancel(MessageStatus.Stopped);
            await generation;
        }
    }

    /// <summary>Gives a reply in flight <paramref name="grace"/> to finish, then stores what arrived as interrupted.</summary>
    public async Task LetFinishAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_generation is { IsCompleted: false } generation && _turn is { } turn)
        {
            try
            {
                await generation.WaitAsync(grace, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                turn.Cancel(MessageStatus.Interrupted);
                await generation;
            }
        }
    }

    /// <summary>Records a turn whose activation died (or whose reply could not be stored) as interrupted, at the time the
    /// turn started: found by the next activation, which may be expiry's own a month later, the record is no use of the
    /// session and must not restart its idle clock.</summary>
    public async Task FinishStaleAsync(InFlightTurn marker)
    {
        var interrupted = new NewMessage(MessageRole.Assistant, "")
        {
            Status = MessageStatus.Interrupted,
            Metadata = new MessageMetadata { Model = marker.Model, ErrorCode = ErrorCodes.Interrupted },
        };
        // What is stored may be the whole reply instead: a duplicate activation that still ran the turn wrote it first.
        // Readers of the turn therefore get it from storage (ReadAsync), never from an assumed outcome.
        await store.WriteMessagesAsync([(marker.TurnId, interrupted)], parentId: marker.UserMessageId, createdAt: marker.StartedAt);
    }

    /// <summary>A held reply is stored at last: the turn's readers now see it.</summary>
    public void HeldReplyWritten(SessionMessage stored)
    {
        replies.HeldReplyWritten(stored);
        if (_turn is { } turn && turn.TurnId == stored.Id)
        {
            turn.Finish(stored, stored.Status, stored.Metadata.ErrorCode, VersionsOf(stored));
        }
    }

    /// <summary>Drops the turn of a deleted session.</summary>
    public void Forget()
    {
        if (_turn is { } turn)
        {
            local.Remove(turn);
        }

        _turn?.Dispose();
        _turn = null;
    }

    /// <summary>Streams the reply, holding the user's stream <paramref name="slot"/> while the model is called, and
    /// stores it; never throws.</summary>
    private async Task RunAsync(ActiveTurn turn, InFlightTurn marker, List<ChatMessage> input, IAsyncDisposable slot)
    {
        try
        {
            await GenerateAndStoreAsync(turn, marker, input, slot);
        }
        finally
        {
            // Its readers in this silo read its end in place; a later reader asks the grain.
            local.Retire(turn);
        }
    }

    private async Task GenerateAndStoreAsync(ActiveTurn turn, InFlightTurn marker, List<ChatMessage> input, IAsyncDisposable slot)
    {
        var measured = metrics.StartTurn(store.Header.Role);
        ReplyOutcome outcome;
        await using (slot)
        {
            // Off the grain's scheduler: each of the model's chunks (one every few milliseconds) would otherwise queue a
            // work item on the activation just to append its text. The generator touches only the turn, which is
            // thread-safe; its outcome comes back here.
            var sessionId = store.Header.Id;
            outcome = await Task.Run(() => generator.GenerateAsync(turn, input, sessionId, measured));
        }

        measured.Finish(outcome.Status, outcome.Metadata);
        await usage.RecordAsync(store.Header.OwnerId, outcome.Metadata);
        var reply = new UnstoredReply(
            marker.TurnId,
            new NewMessage(MessageRole.Assistant, turn.Text) { Status = outcome.Status, Metadata = outcome.Metadata },
            marker.UserMessageId);
        if (await replies.WriteAsync(reply, turn.Cancellation.Token) is not { } stored)
        {
            turn.Finish(null, MessageStatus.Failed, ErrorCodes.StorageUnavailable);
            return;
        }

        // Stored is what counts: a duplicate activation may have recorded this turn first (as interrupted).
        turn.Finish(stored, stored.Status, stored.Metadata.ErrorCode, VersionsOf(stored));
        await replyStored();
    }

    private IReadOnlyList<Guid>? VersionsOf(SessionMessage stored) =>
        stored.ParentId is { } parent ? store.Tree.VersionsAt(parent) : null;
}
