namespace Copilot.Grains.Users;

/// <summary>Where each user's session list is stored: one row per session, so that a change writes the sessions it
/// changed and never the whole list.</summary>
public interface IUserSessionStore
{
    /// <summary>The stored list of <paramref name="userId"/>, in no particular order; empty when there is none.</summary>
    Task<List<SessionSummary>> ReadAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="changed"/> (each added or replaced) and deletes <paramref name="removed"/> from the
    /// list of <paramref name="userId"/>, all or nothing; deleting a session that is not stored does nothing.</summary>
    Task WriteAsync(
        Guid userId,
        IReadOnlyCollection<SessionSummary> changed,
        IReadOnlyCollection<Guid> removed,
        CancellationToken cancellationToken = default);
}
