namespace Copilot.Api.Seed;

/// <summary>A message as the seed's panel loads it (snake_case on the wire).</summary>
internal sealed record class SeedMessage(
    Guid Id,
    Guid SessionId,
    string Role,
    string Content,
    DateTimeOffset CreatedAt,
    SeedMessageMetadata Metadata);
