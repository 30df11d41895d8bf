using Copilot.Grains.Sessions.Storage;

namespace Copilot.Grains.Shares;

/// <summary>A session's share links: snapshots of its active path, written and deleted under the session's write lock
/// so that a share never outlives its session.</summary>
internal sealed class SessionShares(IShareStore store, SessionStore session, int maxPerUser, TimeProvider time)
{
    /// <summary>Snapshots the active path as it is now, for <paramref name="lifetime"/>.</summary>
    /// <exception cref="ShareLimitException">The owner has as many live shares as allowed; nothing was stored.</exception>
    public async Task<NewShare> CreateAsync(TimeSpan lifetime)
    {
        var token = ShareTokens.NewToken();
        SharedConversation? share = null;
        await session.WithWriteLockAsync(async () =>
        {
            var header = session.Header;
            var now = time.GetUtcNow();
            var path = await session.ActivePathAsync();
            share = new SharedConversation(
                ShareTokens.IdOf(token), header.Id, header.OwnerId, now, now + lifetime, header.Title, header.Role,
                [.. path.Select(m => m with { Metadata = m.Metadata with { ClientMessageId = null } })]);
            if (!await store.CreateAsync(share, maxPerUser))
            {
                throw new ShareLimitException();
            }
        });
        return new NewShare(token, new ShareInfo(share!.Id, share.CreatedAt, share.ExpiresAt, share.Messages.Count));
    }

    public Task<IReadOnlyList<ShareInfo>> ListAsync() => store.ListAsync(session.Header.Id, time.GetUtcNow());

    /// <summary>Deletes the share <paramref name="id"/>: from the moment this returns, nobody reads it.</summary>
    public async Task<bool> RevokeAsync(string id)
    {
        var revoked = false;
        await session.WithWriteLockAsync(async () => revoked = await store.DeleteAsync(session.Header.Id, id));
        return revoked;
    }

    /// <summary>Deletes every share of the session. The caller holds the write lock.</summary>
    public Task DeleteAllAsync() => store.DeleteSessionAsync(session.Header.Id);
}
