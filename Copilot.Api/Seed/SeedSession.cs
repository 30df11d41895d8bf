namespace Copilot.Api.Seed;

/// <summary>A session as the seed's panel lists it (snake_case on the wire).</summary>
internal sealed record class SeedSession(
    Guid Id,
    Guid UserId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    SeedSessionMetadata Metadata,
    bool IsActive);
