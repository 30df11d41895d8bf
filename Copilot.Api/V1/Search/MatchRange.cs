namespace Copilot.Api.V1.Search;

/// <summary>A matched part of a snippet, in UTF-16 code units (JavaScript string indices).</summary>
internal sealed record class MatchRange(int Start, int Length);
