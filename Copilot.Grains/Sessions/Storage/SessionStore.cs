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

    public MessageHistory History { get; } = new(options.PageMaxMessages, options.PageMaxBytes);

    public TurnMemory RecentTurns { get; } = new(RecentTurnsKept);

    /// <summary>A generated reply whose write failed: stored before any later write, or by <see cref="StoreHeldReplyAsync"/>.</summary>
    public UnstoredReply? HeldReply { get; set; }

    /// <summary>Reads what the header does not hold: the segments stored after its last checkpoint.</summary>
    public async Task LoadAsync()
    {
        var segments = Header.Id == Guid.Empty ? new List<SessionSegment>() : await _segments.ReadFromAsync(Header.FirstOpenSegment);
        History.Load(Header);
        RecentTurns.Load(Header.RecentTurns);
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
        };
        try
        {
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

    /// <summary>Stores messages as one segment; a held reply goes first.</summary>
    public async Task<IReadOnlyList<SessionMessage>> WriteMessagesAsync(
        IReadOnlyList<(Guid Id, NewMessage Message)> messages, InFlightTurn? marker = null)
    {
        IReadOnlyList<SessionMessage> stored = [];
        await WithWriteLockAsync(async () =>
        {
            await StoreHeldReplyAsync();
            stored = await WriteSegmentAsync(messages, marker);
        });
        return stored;
    }

    /// <summary>Stores the held reply, if any. The caller holds the write lock; throws when storage still fails.</summary>
    public async Task StoreHeldReplyAsync()
    {
        if (HeldReply is not { } reply)
        {
            return;
        }

        var stored = (await WriteSegmentAsync([(reply.TurnId, reply.Message)], null))[0];
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

    /// <summary>Stores the header of a session created now by <paramref name="ownerId"/>.</summary>
    public Task CreateAsync(Guid ownerId, PersonaRole role) => WithWriteLockAsync(() =>
    {
        var now = time.GetUtcNow();
        return CommitHeaderAsync(s =>
        {
            s.Id = sessionId;
            s.OwnerId = ownerId;
            s.Role = role;
            s.Title = "";
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
        IReadOnlyList<(Guid Id, NewMessage Message)> messages, InFlightTurn? marker)
    {
        var now = time.GetUtcNow();
        var stored = messages.Select((m, i) => new SessionMessage
        {
            Id = m.Id,
            Seq = History.Count + i,
            Role = m.Message.Role,
            Content = m.Message.Content,
            CreatedAt = now,
            Status = m.Message.Status,
            Metadata = m.Message.Metadata,
        }).ToList();
        if (History.WouldOverflow(stored) || !_segments.HasRoomFor(History.NextSegment - History.FirstOpenSegment))
        {
            await SealAsync();
        }

        var segment = new SessionSegment { SessionId = sessionId, SegmentNumber = History.NextSegment, Messages = stored, InFlight = marker };
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
