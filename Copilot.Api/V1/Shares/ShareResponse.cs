using Copilot.Grains.Shares;

namespace Copilot.Api.V1.Shares;

/// <summary>A live share in a session's list. The token is not there: only its hash is stored.</summary>
/// <param name="Id">The share's id (its token's SHA-256): what <c>DELETE /v1/sessions/{id}/shares/{shareId}</c> takes.</param>
/// <param name="CreatedAt">When the snapshot was taken.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
/// <param name="MessageCount">Messages in the snapshot.</param>
internal sealed record class ShareResponse(string Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int MessageCount)
{
    public static ShareResponse From(ShareInfo share)
    {
        ArgumentNullException.ThrowIfNull(share);
        return new(share.Id, share.CreatedAt, share.ExpiresAt, share.MessageCount);
    }
}
