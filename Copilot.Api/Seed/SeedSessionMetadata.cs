namespace Copilot.Api.Seed;

/// <summary>The <c>metadata</c> of a listed session; the panel reads <c>role</c>.</summary>
internal sealed record class SeedSessionMetadata(string Role, string Title, long MessageCount);
