namespace Copilot.Grains.Users;

/// <summary>The index of one user's sessions (key: the user id). Kept in step by the session grains.</summary>
[Alias("copilot.IUserSessionsGrain")]
public interface IUserSessionsGrain : IGrainWithGuidKey
{
    /// <summary>Adds a session or replaces its line, and stores the list before returning.</summary>
    [Alias("Upsert")]
    Task UpsertAsync(SessionSummary summary);

    /// <summary>Replaces a session's line (activity: a new message, a turn starting or ending); stored within the flush
    /// interval, not at once.</summary>
    [Alias("Touch")]
    Task TouchAsync(SessionSummary summary);

    /// <summary>Removes a session; removing one that is not there does nothing.</summary>
    [Alias("Remove")]
    Task RemoveAsync(Guid sessionId);

    /// <summary>How many sessions the user has.</summary>
    [Alias("Count"), ReadOnly]
    Task<int> CountAsync();

    /// <summary>Holds room for the session <paramref name="sessionId"/> being created: false when the user has
    /// <paramref name="max"/> sessions, those being created counted in, so that new chats sent at once cannot pass the
    /// cap together. The room is held until the session is listed (<see cref="UpsertAsync"/>), released
    /// (<see cref="ReleaseAsync"/>), or a minute has passed; asking again for the same session is true.</summary>
    [Alias("TryReserve")]
    Task<bool> TryReserveAsync(Guid sessionId, int max);

    /// <summary>Gives back the room <see cref="TryReserveAsync"/> held for a session that was not created.</summary>
    [Alias("Release")]
    Task ReleaseAsync(Guid sessionId);

    /// <summary>The sessions being created: room is held for them (<see cref="TryReserveAsync"/>) and they are not listed
    /// yet.</summary>
    [Alias("Creating"), ReadOnly]
    Task<IReadOnlyList<Guid>> CreatingAsync();

    /// <summary>Lists sessions most recently updated first, <paramref name="limit"/> at a time, after <paramref name="after"/>.</summary>
    [Alias("List"), ReadOnly]
    Task<SessionListPage> ListAsync(int limit, SessionListCursor? after = null);
}
