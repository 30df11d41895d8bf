namespace Copilot.Grains.Shares;

/// <summary>A live share as its owner sees it in a list: no token (only its hash is stored).</summary>
/// <param name="Id">The share id: the token's SHA-256, base64url.</param>
/// <param name="CreatedAt">When the snapshot was taken.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
/// <param name="MessageCount">Messages in the snapshot.</param>
[GenerateSerializer, Immutable, Alias("copilot.share-info")]
public sealed record class ShareInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] int MessageCount);
