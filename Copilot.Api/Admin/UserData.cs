using System.Runtime.CompilerServices;
using Copilot.Grains.Feedback;
using Copilot.Grains.Files;
using Copilot.Grains.Sessions;
using Copilot.Grains.Shares;
using Copilot.Grains.Usage;
using Copilot.Grains.Users;

namespace Copilot.Api.Admin;

/// <summary>Everything stored for one user, for the data-rights calls: export it all, or delete it all.</summary>
internal sealed class UserData(IGrainFactory grains, IFileStore files, IFeedbackStore feedback, IShareStore shares)
{
    private const int PageSize = 100;

    /// <summary>Deletes every session of <paramref name="userId"/> (messages, sealed pages, reminder, index line, shares,
    /// feedback), stopping a reply in flight, then every image of the user and the user's usage count; returns how many
    /// sessions were deleted.</summary>
    /// <remarks>Lists again until the index is empty and no session is being created, so a session created while this
    /// runs is deleted too. Not cancellable: a caller that hangs up (a webhook's short timeout) must not leave the account half deleted.</remarks>
    public async Task<int> DeleteAsync(Guid userId)
    {
        var index = grains.GetGrain<IUserSessionsGrain>(userId);
        var deleted = 0;
        while (true)
        {
            var sessions = (await index.ListAsync(PageSize)).Sessions;
            var creating = sessions.Count == 0 ? await index.CreatingAsync() : [];
            if (sessions.Count == 0 && creating.Count == 0)
            {
                break;
            }

            foreach (var session in sessions)
            {
                if (await grains.GetGrain<ISessionGrain>(session.Id).DeleteAsync(userId))
                {
                    deleted++;
                }
                else
                {
                    // A line whose session is already gone (an interrupted expiry): drop the line itself.
                    await index.RemoveAsync(session.Id);
                }
            }

            foreach (var sessionId in creating)
            {
                // A session being created is not listed until its first question is stored: its delete waits for the
                // send creating it, then removes it. One whose creation failed has nothing to delete but its room.
                if (await grains.GetGrain<ISessionGrain>(sessionId).DeleteAsync(userId))
                {
                    deleted++;
                }
                else
                {
                    await index.ReleaseAsync(sessionId);
                }
            }
        }

        await files.DeleteOwnerAsync(userId);
        // Each session deleted its own shares and feedback; these catch rows of a session that was already gone.
        await shares.DeleteUserAsync(userId);
        await feedback.DeleteUserAsync(userId);
        await grains.GetGrain<IUserLimitsGrain>(userId).ClearAsync();
        return deleted;
    }

    /// <summary>Every session of <paramref name="userId"/>, each followed by its messages oldest first, the feedback on
    /// them and its live share links, most recently updated session first; then every image of the user, oldest first;
    /// then an end line that counts them.</summary>
    public async IAsyncEnumerable<object> ExportAsync(Guid userId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = grains.GetGrain<IUserSessionsGrain>(userId);
        var (sessions, messageLines, feedbackLines, shareLines, fileLines) = (0, 0, 0, 0, 0);
        SessionListCursor? after = null;
        do
        {
            var page = await index.ListAsync(PageSize, after);
            foreach (var session in page.Sessions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var grain = grains.GetGrain<ISessionGrain>(session.Id);
                var messages = await grain.GetAllMessagesAsync(userId);
                if (messages is null)
                {
                    continue;
                }

                sessions++;
                yield return ExportedSession.From(session);
                foreach (var message in messages)
                {
                    messageLines++;
                    yield return ExportedMessage.From(session.Id, message);
                }

                foreach (var (messageId, given) in await feedback.ForSessionAsync(session.Id, cancellationToken))
                {
                    feedbackLines++;
                    yield return ExportedFeedback.From(session.Id, messageId, given);
                }

                foreach (var share in await grain.ListSharesAsync(userId) ?? [])
                {
                    shareLines++;
                    yield return ExportedShare.From(session.Id, share);
                }
            }

            after = page.Next;
        }
        while (after is not null);

        foreach (var file in await files.ListAsync(userId, cancellationToken))
        {
            if (await files.ReadBytesAsync(userId, file.Id, cancellationToken) is { } data)
            {
                fileLines++;
                yield return ExportedFile.From(file, data);
            }
        }

        yield return new ExportedEnd("end", sessions, messageLines, feedbackLines, shareLines, fileLines);
    }
}
