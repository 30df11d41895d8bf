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
    /// <summary>Deletes the session's images, shares, feedback and list row.</summary>
    public async Task DeleteAsync(Guid ownerId, Guid sessionId)
    {
        await files.ReleaseSessionAsync(ownerId, sessionId);
        await shares.DeleteAllAsync();
        await feedback.DeleteAllAsync();
        await grains.GetGrain<IUserSessionsGrain>(ownerId).RemoveAsync(sessionId);
    }
}
