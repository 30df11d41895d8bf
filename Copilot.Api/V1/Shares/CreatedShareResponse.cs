using Copilot.Grains.Shares;

namespace Copilot.Api.V1.Shares;

/// <summary>The answer to <c>POST /v1/sessions/{id}/shares</c>: the only time the token is shown.</summary>
/// <param name="Token">The link's secret: 256 random bits, base64url.</param>
/// <param name="Url">The read-only page, <c>/s/{token}</c>, relative to this service.</param>
/// <param name="Id">The share's id, to list and revoke it.</param>
/// <param name="CreatedAt">When the snapshot was taken.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
/// <param name="MessageCount">Messages in the snapshot.</param>
internal sealed record class CreatedShareResponse(
    string Token, string Url, string Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int MessageCount)
{
    public static CreatedShareResponse From(NewShare share)
    {
        ArgumentNullException.ThrowIfNull(share);
        return new(share.Token, SharesApi.PagePath(share.Token), share.Info.Id, share.Info.CreatedAt, share.Info.ExpiresAt, share.Info.MessageCount);
    }
}
