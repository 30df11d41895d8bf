namespace Copilot.Api.V1.Shares;

/// <summary>A session's live shares, newest first.</summary>
internal sealed record class ShareListResponse(IReadOnlyList<ShareResponse> Data);
