using Copilot.Grains.Feedback;
using Copilot.Grains.Files;
using Copilot.Grains.Shares;
using Copilot.Grains.Users;

namespace Copilot.Grains.Sessions.Lifecycle;

/// <summary>What lives outside a session's own rows and goes with it: its images, shares and feedback, and its row in
/// the user's list.</summary>
internal sealed class SessionDependents(
    IFileStore files, SessionShares shares, FeedbackBook feedback, IGrainFactory grains)
{
    /// <summary>Deletes the session's shares, images, feedback and list row. The public links go first: they are what
    /// an interrupted deletion would otherwise leave open to anyone. The list row goes last, so that until everything else
    /// is gone the owner still sees the session and can delete it again.</summary>
    public async Task DeleteAsync(Guid ownerId, Guid sessionId)
    {
        await shares.DeleteAllAsync();
        await files.ReleaseSessionAsync(ownerId, sessionId);
        await feedback.DeleteAllAsync();
        await grains.GetGrain<IUserSessionsGrain>(ownerId).RemoveAsync(sessionId);
    }
}
