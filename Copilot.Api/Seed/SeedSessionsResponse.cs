namespace Copilot.Api.Seed;

/// <summary>The body of <c>GET /api/copilot</c>.</summary>
internal sealed record class SeedSessionsResponse(IReadOnlyList<SeedSession> Sessions);
