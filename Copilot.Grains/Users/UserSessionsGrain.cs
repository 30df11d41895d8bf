using Copilot.Grains.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Copilot.Grains.Users;

/// <inheritdoc cref="IUserSessionsGrain" />
/// <remarks>The list lives in memory, loaded from <see cref="IUserSessionStore"/> at activation; every write stores only
/// the sessions that changed. Creates, renames and removals are stored at once, so a session's existence and title are
/// never lost. Touches only change the list in memory and are stored at most once per
/// <see cref="SessionsOptions.IndexFlushInterval"/> (and when the activation ends): after a crash the stored order may
/// lag by that interval.</remarks>
internal sealed partial class UserSessionsGrain(
    [PersistentState(CopilotStorage.UserSessionsStateName, CopilotStorage.ProviderName)]
    IPersistentState<UserSessionsState> legacy,
    IUserSessionStore store,
    IOptions<SessionsOptions> options,
    [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time,
    ILogger<UserSessionsGrain> logger) : Grain, IUserSessionsGrain
{
    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 200;

    /// <summary>How long room held for a session being created lasts if the session is never listed.</summary>
    private static readonly TimeSpan ReservationLifetime = TimeSpan.FromMinutes(1);

    /// <summary>Sessions being created, not listed yet, each with when its room lapses.</summary>
    private readonly Dictionary<Guid, DateTimeOffset> _reserved = [];

    private List<SessionSummary> _sessions = [];

    /// <summary>Sessions whose stored row is behind memory: to be written if listed, deleted if not.</summary>
    private readonly HashSet<Guid> _unsaved = [];
    private IGrainTimer? _flushTimer;

    private Guid UserId => this.GetPrimaryKey();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _sessions = await store.ReadAsync(UserId, cancellationToken);
        if (legacy.RecordExists)
        {
            await MoveLegacyListAsync();
        }
    }

    public async Task UpsertAsync(SessionSummary summary)
    {
        _reserved.Remove(summary.Id);
        Apply(summary);
        await FlushAsync();
    }

    public Task TouchAsync(SessionSummary summary)
    {
        _reserved.Remove(summary.Id);
        if (Apply(summary))
        {
            _flushTimer ??= this.RegisterGrainTimer(
                _ => FlushOnTimerAsync(), options.Value.IndexFlushInterval, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public async Task RemoveAsync(Guid sessionId)
    {
        if (_sessions.RemoveAll(s => s.Id == sessionId) == 0)
        {
            return;
        }

        _unsaved.Add(sessionId);
        await FlushAsync();
    }

    public Task<int> CountAsync() => Task.FromResult(_sessions.Count);

    public Task<bool> TryReserveAsync(Guid sessionId, int max)
    {
        var now = time.GetUtcNow();
        foreach (var (id, _) in _reserved.Where(r => r.Value <= now).ToList())
        {
            _reserved.Remove(id);
        }

        if (_reserved.ContainsKey(sessionId) || _sessions.Exists(s => s.Id == sessionId))
        {
            return Task.FromResult(true);
        }

        if (_sessions.Count + _reserved.Count >= max)
        {
            return Task.FromResult(false);
        }

        _reserved[sessionId] = now + ReservationLifetime;
        return Task.FromResult(true);
    }

    public Task ReleaseAsync(Guid sessionId)
    {
        _reserved.Remove(sessionId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Guid>> CreatingAsync()
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<Guid>>([.. _reserved.Where(r => r.Value > now).Select(r => r.Key)]);
    }

    public Task<SessionListPage> ListAsync(int limit, SessionListCursor? after = null)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        // The cursor filters before ordering, so that OrderBy(...).Take(n) sorts only the n it returns (LINQ picks
        // them by partial sort) instead of the whole list on every read.
        var page = _sessions
            .Where(s => after is null || IsAfter(s, after))
            .OrderByDescending(s => s.UpdatedAt)
            .ThenByDescending(s => s.Id)
            .Take(limit + 1)
            .ToList();
        var hasMore = page.Count > limit;
        if (hasMore)
        {
            page.RemoveAt(limit);
        }

        return Task.FromResult(new SessionListPage
        {
            Sessions = page,
            Next = hasMore ? new SessionListCursor(page[^1].UpdatedAt, page[^1].Id) : null,
            Total = _sessions.Count,
        });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unsaved.Count > 0)
        {
            await FlushOnTimerAsync();
        }
    }

    /// <summary>Copies a list stored whole by an earlier release into the store, in one write, then deletes its row.</summary>
    /// <remarks>Merged like touches, so a line of the old row never replaces a newer one: the row may also be one that a
    /// silo of the earlier release wrote during a rolling upgrade, holding only the sessions it changed.</remarks>
    private async Task MoveLegacyListAsync()
    {
        var sessions = legacy.State.Sessions;
        foreach (var summary in sessions)
        {
            Apply(summary);
        }

        await FlushAsync();
        await legacy.ClearStateAsync();
        LogLegacyListMoved(UserId, sessions.Count);
    }

    /// <summary>Puts <paramref name="summary"/> in the list; returns whether the stored part changed (and is now unsaved).</summary>
    private bool Apply(SessionSummary summary)
    {
        var index = _sessions.FindIndex(s => s.Id == summary.Id);

        // A session's touches can overtake each other (one turn's update still in flight when the next turn's
        // arrives): never let an older summary replace a newer one.
        if (index >= 0 && IsOlder(summary, _sessions[index]))
        {
            return false;
        }

        var storedPartChanged = index < 0 || summary with { TurnInFlight = _sessions[index].TurnInFlight } != _sessions[index];
        if (index >= 0)
        {
            _sessions[index] = summary;
        }
        else
        {
            _sessions.Add(summary);
        }

        if (storedPartChanged)
        {
            _unsaved.Add(summary.Id);
        }

        return storedPartChanged;
    }

    private async Task FlushAsync()
    {
        _flushTimer?.Dispose();
        _flushTimer = null;
        if (_unsaved.Count == 0)
        {
            return;
        }

        var changed = _sessions.Where(s => _unsaved.Contains(s.Id)).ToList();
        var removed = _unsaved.Except(changed.Select(s => s.Id)).ToList();
        _unsaved.Clear();
        try
        {
            await store.WriteAsync(UserId, changed, removed);
        }
        catch
        {
            // Memory keeps the change; the timer writes it once storage works.
            _unsaved.UnionWith(changed.Select(s => s.Id));
            _unsaved.UnionWith(removed);
            _flushTimer = this.RegisterGrainTimer(
                _ => FlushOnTimerAsync(), options.Value.IndexFlushInterval, Timeout.InfiniteTimeSpan);
            throw;
        }
    }

    private async Task FlushOnTimerAsync()
    {
        try
        {
            await FlushAsync();
        }
        catch (Exception ex)
        {
            LogFlushFailed(ex, UserId);
        }
    }

    private static bool IsOlder(SessionSummary candidate, SessionSummary current) =>
        candidate.UpdatedAt < current.UpdatedAt ||
        (candidate.UpdatedAt == current.UpdatedAt && candidate.MessageCount < current.MessageCount);

    private static bool IsAfter(SessionSummary s, SessionListCursor cursor) =>
        s.UpdatedAt < cursor.UpdatedAt || (s.UpdatedAt == cursor.UpdatedAt && s.Id.CompareTo(cursor.Id) < 0);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The session list of user {UserId} could not be stored; retrying")]
    private partial void LogFlushFailed(Exception exception, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The session list of user {UserId} ({Count} sessions) moved from its single row to a row per session")]
    private partial void LogLegacyListMoved(Guid userId, int count);
}
