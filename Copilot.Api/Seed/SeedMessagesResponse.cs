namespace Copilot.Api.Seed;

/// <summary>The body of <c>GET /api/copilot?sessionId=</c>.</summary>
internal sealed record class SeedMessagesResponse(IReadOnlyList<SeedMessage> Messages);
