namespace Copilot.Grains.Shares;

/// <summary>The shares table (<c>copilot_shares</c>). Rows are written and deleted by their session (under its write
/// lock, so a deleted session leaves none) and read directly by anonymous viewers: a deleted row is gone for every silo
/// at once.</summary>
public interface IShareStore
{
    /// <summary>Stores <paramref name="share"/> unless its owner already has <paramref name="maxPerUser"/> shares not
    /// expired at its creation time; false then, and nothing is stored. Creations of one owner run one at a time, so
    /// shares made at once in several sessions cannot pass the limit together.</summary>
    Task<bool> CreateAsync(SharedConversation share, int maxPerUser, CancellationToken cancellationToken = default);

    /// <summary>The share with this id, or null when there is none or it expired at <paramref name="now"/>.</summary>
    Task<SharedConversation?> FindAsync(string id, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The session's shares not expired at <paramref name="now"/>, newest first.</summary>
    Task<IReadOnlyList<ShareInfo>> ListAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes one share of the session; false when it has no such share.</summary>
    Task<bool> DeleteAsync(Guid sessionId, string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes every share of the session.</summary>
    Task DeleteSessionAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every share the user made; returns how many rows.</summary>
    Task<int> DeleteUserAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the shares expired at <paramref name="now"/>; returns how many rows.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
