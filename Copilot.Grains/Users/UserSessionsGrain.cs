using Copilot.Grains.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Copilot.Grains.Users;

/// <inheritdoc cref="IUserSessionsGrain" />
/// <remarks>Creates, renames and removals are stored at once, so a session's existence and title are never lost.
/// Touches only change the list in memory and are stored at most once per <see cref="SessionsOptions.IndexFlushInterval"/>
/// (and when the activation ends): after a crash the stored order may lag by that interval.</remarks>
internal sealed partial class UserSessionsGrain(
    [PersistentState(CopilotStorage.UserSessionsStateName, CopilotStorage.ProviderName)]
    IPersistentState<UserSessionsState> state,
    IOptions<SessionsOptions> options,
    ILogger<UserSessionsGrain> logger) : Grain, IUserSessionsGrain
{
    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 200;

    private bool _dirty;
    private IGrainTimer? _flushTimer;

    public async Task UpsertAsync(SessionSummary summary)
    {
        Apply(summary);
        await FlushAsync();
    }

    public Task TouchAsync(SessionSummary summary)
    {
        if (Apply(summary))
        {
            _flushTimer ??= this.RegisterGrainTimer(
                _ => FlushOnTimerAsync(), options.Value.IndexFlushInterval, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public async Task RemoveAsync(Guid sessionId)
    {
        if (state.State.Sessions.RemoveAll(s => s.Id == sessionId) == 0)
        {
            return;
        }

        // A user without sessions keeps no row: deleting a user's sessions leaves nothing of theirs stored.
        if (state.State.Sessions.Count == 0)
        {
            await state.ClearStateAsync();
        }
        else
        {
            _dirty = true;
            await FlushAsync();
        }
    }

    public Task<int> CountAsync() => Task.FromResult(state.State.Sessions.Count);

    public Task<SessionListPage> ListAsync(int limit, SessionListCursor? after = null)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        // The cursor filters before ordering, so that OrderBy(...).Take(n) sorts only the n it returns (LINQ picks
        // them by partial sort) instead of the whole list on every read.
        var page = state.State.Sessions
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
            Total = state.State.Sessions.Count,
        });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await FlushOnTimerAsync();
        }
    }

    /// <summary>Puts <paramref name="summary"/> in the list; returns whether the stored part changed (and is now unsaved).</summary>
    private bool Apply(SessionSummary summary)
    {
        var sessions = state.State.Sessions;
        var index = sessions.FindIndex(s => s.Id == summary.Id);

        // A session's touches can overtake each other (one turn's update still in flight when the next turn's
        // arrives): never let an older summary replace a newer one.
        if (index >= 0 && IsOlder(summary, sessions[index]))
        {
            return false;
        }

        var storedPartChanged = index < 0 || summary with { TurnInFlight = sessions[index].TurnInFlight } != sessions[index];
        if (index >= 0)
        {
            sessions[index] = summary;
        }
        else
        {
            sessions.Add(summary);
        }

        _dirty |= storedPartChanged;
        return storedPartChanged;
    }

    private async Task FlushAsync()
    {
        _flushTimer?.Dispose();
        _flushTimer = null;
        if (!_dirty)
        {
            return;
        }

        state.State.UserId = this.GetPrimaryKey();
        _dirty = false;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory keeps the change; the timer writes it once storage works.
            _dirty = true;
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
            LogFlushFailed(ex, this.GetPrimaryKey());
        }
    }

    private static bool IsOlder(SessionSummary candidate, SessionSummary current) =>
        candidate.UpdatedAt < current.UpdatedAt ||
        (candidate.UpdatedAt == current.UpdatedAt && candidate.MessageCount < current.MessageCount);

    private static bool IsAfter(SessionSummary s, SessionListCursor cursor) =>
        s.UpdatedAt < cursor.UpdatedAt || (s.UpdatedAt == cursor.UpdatedAt && s.Id.CompareTo(cursor.Id) < 0);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The session list of user {UserId} could not be stored; retrying")]
    private partial void LogFlushFailed(Exception exception, Guid userId);
}
