namespace Copilot.Api.Seed;

/// <summary>The body of <c>POST /api/copilot</c>, for the OpenAPI document (the route reads and validates it by hand,
/// into a <see cref="ChatRequest"/>).</summary>
/// <param name="Message">The user's message.</param>
/// <param name="SessionId">The session to continue; omitted or unknown starts a new one.</param>
/// <param name="Role"><c>field</c>, <c>pm</c> or <c>exec</c>; must match an existing session's.</param>
internal sealed record class SeedChatBody(string Message, Guid? SessionId, string? Role);
