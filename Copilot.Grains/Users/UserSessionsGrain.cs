using Copilot.Grains.Storage;

namespace Copilot.Grains.Users;

/// <inheritdoc cref="IUserSessionsGrain" />
internal sealed class UserSessionsGrain(
    [PersistentState(CopilotStorage.UserSessionsStateName, CopilotStorage.ProviderName)]
    IPersistentState<UserSessionsState> state) : Grain, IUserSessionsGrain
{
    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 200;

    public async Task UpsertAsync(SessionSummary summary)
    {
        var sessions = state.State.Sessions;
        var index = sessions.FindIndex(s => s.Id == summary.Id);

        // A session's touches can overtake each other (one turn's update still in flight when the next turn's
        // arrives): never let an older summary replace a newer one.
        if (index >= 0 && (sessions[index] == summary || IsOlder(summary, sessions[index])))
        {
            return;
        }

        if (index >= 0)
        {
            sessions[index] = summary;
        }
        else
        {
            sessions.Add(summary);
        }

        state.State.UserId = this.GetPrimaryKey();
        await state.WriteStateAsync();
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
            await state.WriteStateAsync();
        }
    }

    public Task<SessionListPage> ListAsync(int limit, SessionListCursor? after = null)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var ordered = state.State.Sessions
            .OrderByDescending(s => s.UpdatedAt)
            .ThenByDescending(s => s.Id)
            .SkipWhile(s => after is not null && !IsAfter(s, after));
        var page = ordered.Take(limit + 1).ToList();
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

    private static bool IsOlder(SessionSummary candidate, SessionSummary current) =>
        candidate.UpdatedAt < current.UpdatedAt ||
        (candidate.UpdatedAt == current.UpdatedAt && candidate.MessageCount < current.MessageCount);

    private static bool IsAfter(SessionSummary s, SessionListCursor cursor) =>
        s.UpdatedAt < cursor.UpdatedAt || (s.UpdatedAt == cursor.UpdatedAt && s.Id.CompareTo(cursor.Id) < 0);
}
