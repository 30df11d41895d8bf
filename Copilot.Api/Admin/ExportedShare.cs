using Copilot.Grains.Shares;

namespace Copilot.Api.Admin;

/// <summary>A share line of a user's export, after the feedback of its session: a live public link to a snapshot of the
/// conversation (its id is the token's hash; the token itself is never stored).</summary>
internal sealed record class ExportedShare(
    string Type, Guid SessionId, string Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int MessageCount)
{
    public static ExportedShare From(Guid sessionId, ShareInfo share)
    {
        ArgumentNullException.ThrowIfNull(share);
        return new("share", sessionId, share.Id, share.CreatedAt, share.ExpiresAt, share.MessageCount);
    }
}
