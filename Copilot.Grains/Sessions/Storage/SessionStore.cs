using Copilot.Grains.Personas;
using Copilot.Grains.Sessions.Turns;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Copilot.Grains.Sessions.Storage;

/// <summary>The stored rows of one session (header, segments, pages) and the one path that writes them.</summary>
/// <remarks>
/// Every write runs under one lock, so two writes never overlap (a reply being stored, a rename, a seal, a delete).
/// Header writes go through <see cref="CommitHeaderAsync"/>, which restores memory when the write fails; the history and
/// the idempotency memory change only after their row is stored. Lives in the session grain's activation and runs on its
/// scheduler.
/// </remarks>
internal sealed partial class SessionStore(
    IPersistentState<SessionState> state,
    IGrainStorage rowStorage,
    Guid sessionId,
    SessionsOptions options,
    TimeProvider time,
    ILogger logger,
    Action deactivate,
    Action<SessionMessage> heldReplyStored)
{
    /// <summary>Client message ids remembered for idempotent retries.</summary>
    public const int RecentTurnsKept = 16;

    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly SessionPageStore _pages = new(rowStorage, sessionId);
    private readonly SegmentStore _segments = new(rowStorage, sessionId, () => state.State);

    /// <summary>Segment rows whose delete failed (folded ones in a session without slots, or any at deletion); retried
    /// at the next seal and at deletion.</summary>
    private List<long> _undeletedSegments = [];

    /// <summary>The header, with its checkpoint fields brought up to date by the segments stored since.</summary>
    public SessionState Header => state.State;

    /// <summary>The session's id (the grain's key), known before the session is created.</summary>
    public Guid SessionId => sessionId;

    public MessageHistory History { get; } = new(options.PageMaxMessages, options.PageMaxBytes);

    public TurnMemory RecentTurns { get; } = new(RecentTurnsKept);

    /// <summary>The active leaf and the fork table.</summary>
    public ConversationTree Tree { get; } = new();

    /// <summary>A generated reply whose write failed: stored before any later write, or by <see cref="StoreHeldReplyAsync"/>.</summary>
    public UnstoredReply? HeldReply { get; set; }

    /// <summary>Reads what the header does not hold: the segments stored after its last checkpoint.</summary>
    public async Task LoadAsync()
    {
        var segments = Header.Id == Guid.Empty ? new List<SessionSegment>() : await _segments.ReadFromAsync(Header.FirstOpenSegment);
        History.Load(Header);
        RecentTurns.Load(Header.RecentTurns);
        Tree.Load(Header);
        foreach (var segment in segments)
        {
            Observe(segment);
        }
    }

    public Task<SessionPage> ReadPageAsync(int pageNumber) =>
        _pages.ReadAsync(pageNumber, isNewest: pageNumber == History.PageCount - 1);

    /// <summary>Runs <paramref name="write"/> alone: no other write of this session runs at the same time.</summary>
    public async Task WithWriteLockAsync(Func<Task> write)
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

    /// <summary>Applies <paramref name="change"/> to the header and writes it; on failure, memory goes back to what is
    /// stored. The caller holds the write lock.</summary>
    public async Task CommitHeaderAsync(Action<SessionState> change)
    {
        var before = Header with
        {
            Messages = [.. Header.Messages],
            RecentTurns = [.. Header.RecentTurns],
            SealedPageStarts = [.. Header.SealedPageStarts],
            Forks = [.. Header.Forks],
        };
        try
        {
            Header.ActiveLeaf = Tree.Leaf;
            Header.Forks = Tree.Snapshot();
            change(Header);
            Header.RecentTurns = RecentTurns.Snapshot();
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            _pages.Forget(Header.SealedPageCount);
            throw;
        }
    }

    /// <summary>Stores messages as one segment, each the child of the one before; a held reply goes first.</summary>
    /// <param name="messages">The messages, oldest first.</param>
    /// <param name="marker">The turn these messages start, if any.</param>
    /// <param name="parentId">The first message's parent (<see cref="Guid.Empty"/>: none); null: the active leaf.</param>
    /// <param name="siblings">The parent's children stored before: when there are any, this write makes it a fork (and
    /// a marker alone names the reply to come as its new child).</param>
    /// <param name="createdAt">The messages' time; null: now. A reply recorded after the fact keeps its turn's time, so
    /// that the recovery write does not count as the session being used.</param>
    public async Task<IReadOnlyList<SessionMessage>> WriteMessagesAsync(
        IReadOnlyList<(Guid Id, NewMessage Message)> messages,
        InFlightTurn? marker = null,
        Guid? parentId = null,
        IReadOnlyList<Guid>? siblings = null,
        DateTimeOffset? createdAt = null)
    {
        IReadOnlyList<SessionMessage> stored = [];
        await WithWriteLockAsync(async () =>
        {
            await StoreHeldReplyAsync();
            stored = await WriteSegmentAsync(messages, marker, parentId, siblings, createdAt);
        });
        return stored;
    }

    /// <summary>Makes <paramref name="leaf"/> the active leaf: a header write, nothing else; a held reply goes first.</summary>
    public Task SwitchAsync(SessionMessage leaf) => WithWriteLockAsync(async () =>
    {
        await StoreHeldReplyAsync();
        var active = new ActiveLeaf { MessageId = leaf.Id, Seq = leaf.Seq, FromSegment = History.NextSegment };
        await CommitHeaderAsync(s => s.ActiveLeaf = active);
        Tree.Switched(active);
    });

    /// <summary>The message a client names: by its stored id or by the client's id (the newest version carrying it), or
    /// null when the session holds none.</summary>
    public async Task<SessionMessage?> FindByKeyAsync(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (RecentTurns.Find(key) is { } turn &&
            await History.FindAsync(turn.UserMessageSeq, ReadPageAsync) is { } remembered && remembered.Id == turn.UserMessageId)
        {
            return remembered;
        }

        var storedId = Guid.TryParse(key, out var parsed) ? parsed : (Guid?)null;
        await foreach (var message in History.NewestFirstAsync(long.MaxValue, ReadPageAsync))
        {
            if (message.Id == storedId || message.Metadata.ClientMessageId == key)
            {
                return message;
            }
        }

        return null;
    }

    /// <summary>The active path, oldest first.</summary>
    public async Task<List<SessionMessage>> ActivePathAsync()
    {
        var path = await Tree.PathAsync(History, ReadPageAsync).ToListAsync();
        path.Reverse();
        return path;
    }

    /// <summary>Makes the path through the message <paramref name="key"/> names active (below it, the newest version at
    /// each step) and returns the new active leaf's id; null when the session holds no such message.</summary>
    public async Task<Guid?> SwitchThroughAsync(string key)
    {
        if (await FindExactAsync(key) is not { } target)
        {
            return null;
        }

        var leaf = await ConversationTree.NewestLeafBelowAsync(History, ReadPageAsync, target);
        await SwitchAsync(leaf);
        return leaf.Id;
    }

    /// <summary>The message whose stored id is <paramref name="key"/>, or else the one <see cref="FindByKeyAsync"/> finds.
    /// A stored id names one message; an edit made in a chat loaded from the history carries the stored id of the version
    /// it replaced as its client id, so that id alone would name two.</summary>
    public async Task<SessionMessage?> FindExactAsync(string key)
    {
        if (Guid.TryParse(key, out var storedId))
        {
            await foreach (var message in History.NewestFirstAsync(long.MaxValue, ReadPageAsync))
            {
                if (message.Id == storedId)
                {
                    return message;
                }
            }
        }

        return await FindByKeyAsync(key);
    }

    /// <summary>The message a send names by <paramref name="key"/>: the one <see cref="FindByKeyAsync"/> finds, unless the
    /// key is also the stored id of another message (an edit made in a chat loaded from the history carries the stored
    /// id of the version it replaced as its client id) and that one is on the active path: the version the user sees is
    /// the one they retry, regenerate or edit.</summary>
    public async Task<SessionMessage?> FindForSendAsync(string key)
    {
        var byKey = await FindByKeyAsync(key);
        if (byKey is null || byKey.Id.ToString() == key || !Guid.TryParse(key, out var storedId))
        {
            return byKey;
        }

        await foreach (var message in Tree.PathAsync(History, ReadPageAsync))
        {
            if (message.Id == byKey.Id)
            {
                return byKey;
            }

            if (message.Id == storedId)
            {
                return message;
            }
        }

        return byKey;
    }

    /// <summary>A page of the active path, newest first: from the leaf, or the ancestors of the message numbered
    /// <paramref name="beforeSeq"/> (the cursor of the page before), with the fork entries of its messages.</summary>
    public async Task<MessagePage> ActivePathPageAsync(long? beforeSeq, int limit)
    {
        var path = beforeSeq is { } seq
            ? Tree.AncestorsAsync(History, ReadPageAsync, seq)
            : Tree.PathAsync(History, ReadPageAsync);
        return WithForks(await MessageHistory.TakePageAsync(path, limit));
    }

    /// <summary>Up to <paramref name="limit"/> messages of the active path centred on <paramref name="messageId"/>, newest
    /// first, with cursors both ways; no messages when the active path does not hold it.</summary>
    public async Task<MessagePage> ActivePathAroundAsync(Guid messageId, int limit)
    {
        var path = await ActivePathAsync();
        var at = path.FindIndex(m => m.Id == messageId);
        return at < 0
            ? new MessagePage { Messages = [] }
            : Window(path, Math.Clamp(at - ((limit - 1) / 2), 0, Math.Max(0, path.Count - limit)), limit);
    }

    /// <summary>Up to <paramref name="limit"/> messages of the active path that follow the message numbered
    /// <paramref name="afterSeq"/> (the cursor of the page after), newest first; none when the path does not hold it.</summary>
    public async Task<MessagePage> ActivePathAfterAsync(long afterSeq, int limit)
    {
        var path = await ActivePathAsync();
        var at = path.FindIndex(m => m.Seq == afterSeq);
        return at < 0 || at == path.Count - 1 ? new MessagePage { Messages = [] } : Window(path, at + 1, limit);
    }

    /// <summary>The messages of <paramref name="path"/> (oldest first) from index <paramref name="first"/>, newest first.</summary>
    private MessagePage Window(List<SessionMessage> path, int first, int limit)
    {
        var count = Math.Min(limit, path.Count - first);
        var messages = path.GetRange(first, count);
        messages.Reverse();
        return WithForks(new MessagePage
        {
            Messages = messages,
            NextBeforeSeq = first > 0 ? path[first].Seq : null,
            NextAfterSeq = first + count < path.Count ? path[first + count - 1].Seq : null,
        });
    }

    /// <summary><paramref name="page"/> with the fork entries of its messages.</summary>
    private MessagePage WithForks(MessagePage page)
    {
        var forks = new Dictionary<Guid, IReadOnlyList<Guid>>();
        foreach (var message in page.Messages)
        {
            if (message.ParentId is { } parent && Tree.VersionsAt(parent) is { } versions)
            {
                forks[parent] = versions;
            }
        }

        return page with { Forks = forks };
    }

    /// <summary>The active leaf: the last message of the active path; null in an empty session.</summary>
    public async Task<SessionMessage?> ActiveLeafAsync() => Tree.Leaf is { } known
        ? await History.FindAsync(known.Seq, ReadPageAsync)
        : await History.FindAsync(History.Count - 1, ReadPageAsync);

    /// <summary>Whether <paramref name="key"/> names the active leaf (by stored or client id): a send that follows it is
    /// a new message, whatever its id.</summary>
    public async Task<bool> IsLeafAsync(string key)
    {
        var leaf = await ActiveLeafAsync();
        return leaf is not null && ((Guid.TryParse(key, out var id) && id == leaf.Id) || leaf.Metadata.ClientMessageId == key);
    }

    /// <summary>Stores the held reply, if any. The caller holds the write lock; throws when storage still fails.</summary>
    public async Task StoreHeldReplyAsync()
    {
        if (HeldReply is not { } reply)
        {
            return;
        }

        var stored = (await WriteSegmentAsync([(reply.TurnId, reply.Message)], null, reply.ParentId, null))[0];
        HeldReply = null;
        heldReplyStored(stored);
    }

    /// <summary>The stored reply of <paramref name="turnId"/>: located through the idempotency memory at any distance,
    /// else among the newest messages.</summary>
    public async Task<SessionMessage?> FindReplyAsync(Guid turnId)
    {
        if (RecentTurns.FindTurn(turnId) is { } turn &&
            await History.FindAsync(turn.ReplySeq ?? turn.UserMessageSeq + 1, ReadPageAsync) is { } remembered &&
            remembered.Id == turnId)
        {
            return remembered;
        }

        var looked = 0;
        await foreach (var message in History.NewestFirstAsync(long.MaxValue, ReadPageAsync))
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

    /// <summary>Stores the header of a session created now by <paramref name="ownerId"/>, titled <paramref name="title"/>
    /// (empty for a session created before its first message, which then gives it its title).</summary>
    public Task CreateAsync(Guid ownerId, PersonaRole role, string title) => WithWriteLockAsync(() =>
    {
        var now = time.GetUtcNow();
        return CommitHeaderAsync(s =>
        {
            s.Id = sessionId;
            s.OwnerId = ownerId;
            s.Role = role;
            s.Title = title;
            s.CreatedAt = now;
            s.UpdatedAt = now;
            s.Status = SessionStatus.Active;

            // A tail holds at most a page of messages, so at most this many segments are unfolded at once.
            s.SegmentSlots = options.PageMaxMessages;
        });
    });

    /// <summary>Deletes every row of the session: marks the header expiring first, so an interrupted deletion resumes on
    /// the next tick; then runs <paramref name="beforeRows"/>, deletes every page and segment row, runs
    /// <paramref name="beforeHeader"/>, and deletes the header row last.</summary>
    public Task DeleteAsync(Action beforeRows, Func<Task> beforeHeader) => WithWriteLockAsync(async () =>
    {
        if (Header.Status != SessionStatus.Expiring)
        {
            await CommitHeaderAsync(s => s.Status = SessionStatus.Expiring);
        }

        beforeRows();
        await DeleteRowsAsync();
        await beforeHeader();
        await state.ClearStateAsync();
    });

    /// <summary>Deletes every page and segment row. The caller holds the write lock and has marked the header expiring.</summary>
    private async Task DeleteRowsAsync()
    {
        HeldReply = null;
        await _pages.DeleteAllAsync(Header.SealedPageCount);
        _undeletedSegments = await _segments.DeleteRowsAsync(
            [.. _undeletedSegments, .. _segments.RowsInUse(History.FirstOpenSegment, History.NextSegment)]);
        if (_undeletedSegments.Count > 0)
        {
            throw new InconsistentStateException($"Session {sessionId}: {_undeletedSegments.Count} segment row(s) could not be deleted.");
        }
    }

    /// <summary>Writes one segment, sealing the tail into a page first when it is full. The caller holds the write lock.</summary>
    private async Task<IReadOnlyList<SessionMessage>> WriteSegmentAsync(
        IReadOnlyList<(Guid Id, NewMessage Message)> messages, InFlightTurn? marker, Guid? parentId, IReadOnlyList<Guid>? siblings,
        DateTimeOffset? createdAt = null)
    {
        var at = createdAt ?? time.GetUtcNow();
        var parent = parentId ?? await LeafIdAsync();
        var stored = messages.Select((m, i) => new SessionMessage
        {
            Id = m.Id,
            Seq = History.Count + i,
            Role = m.Message.Role,
            Content = m.Message.Content,
            CreatedAt = at,
            Status = m.Message.Status,
            Metadata = m.Message.Metadata,
            ParentId = i == 0 ? parent : messages[i - 1].Id,
            Files = m.Message.Files is { Count: > 0 } files ? files : null,
        }).ToList();
        var newChild = stored.Count > 0 ? stored[0].Id : marker?.TurnId;
        List<Fork> forks = siblings is { Count: > 0 } && newChild is { } child && !siblings.Contains(child)
            ? [new Fork { ParentId = parent, Children = [.. siblings, child] }]
            : [];
        if (History.WouldOverflow(stored) || !_segments.HasRoomFor(History.NextSegment - History.FirstOpenSegment))
        {
            await SealAsync();
        }

        var segment = new SessionSegment
        {
            SessionId = sessionId,
            SegmentNumber = History.NextSegment,
            Messages = stored,
            InFlight = marker,
            Forks = forks,
        };
        try
        {
            segment = await _segments.WriteAsync(segment);
        }
        catch (InconsistentStateException)
        {
            // Another write holds this number (one whose answer was lost): only a fresh activation sees it.
            deactivate();
            throw;
        }

        Observe(segment);
        if (Header.Title.Length == 0 && segment.Messages.Find(m => m.Role == MessageRole.User) is { } first)
        {
            try
            {
                await CommitHeaderAsync(s => s.Title = SessionProjections.MakeTitle(first.Content));
            }
            catch (Exception ex)
            {
                // The message is stored; the next user message offers the title again.
                LogTitleNotStored(logger, ex, sessionId);
            }
        }

        return segment.Messages;
    }

    /// <summary>Brings memory up to date with a stored segment.</summary>
    private void Observe(SessionSegment segment)
    {
        History.Append(segment);
        RecentTurns.Observe(segment);
        Tree.Observe(segment);
        Header.InFlight = segment.InFlight ?? Header.InFlight;
        if (Header.InFlight is { } marker && segment.Messages.Exists(m => m.Id == marker.TurnId))
        {
            Header.InFlight = null;
        }

        Header.MessageCount = History.Count;
        if (segment.Messages.Count > 0 && segment.Messages[^1].CreatedAt > Header.UpdatedAt)
        {
            Header.UpdatedAt = segment.Messages[^1].CreatedAt;
        }
    }

    /// <summary>The id of the active leaf (<see cref="Guid.Empty"/> in an empty session): the parent of a message that
    /// continues the conversation.</summary>
    private async Task<Guid> LeafIdAsync() => Tree.Leaf?.MessageId
        ?? (await History.FindAsync(History.Count - 1, ReadPageAsync))?.Id
        ?? Guid.Empty;

    /// <summary>Seals the tail into a page and checkpoints the header; the folded segments' rows are then free for the
    /// next segments (with slots), or deleted (best effort) in a session without slots.</summary>
    private async Task SealAsync()
    {
        var page = History.NextPage(sessionId);
        await _pages.WriteAsync(page);
        await CommitHeaderAsync(s =>
        {
            s.SealedPageCount = page.PageNumber + 1;
            s.SealedPageStarts.Add(page.Messages[0].Seq);
            s.Messages = [];
            s.FirstOpenSegment = History.NextSegment;
        });
        var folded = History.Sealed(page);
        if (Header.SegmentSlots == 0)
        {
            _undeletedSegments = await _segments.DeleteRowsAsync([.. _undeletedSegments, .. folded]);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the title could not be stored")]
    private static partial void LogTitleNotStored(ILogger logger, Exception exception, Guid sessionId);
}
