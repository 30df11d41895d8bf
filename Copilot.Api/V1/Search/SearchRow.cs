namespace Copilot.Api.V1.Search;

/// <summary>One hit as the index holds it.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="MessageId">The message; <see cref="Guid.Empty"/> for a hit on the session's title.</param>
/// <param name="Role"><c>user</c>, <c>assistant</c>, or <c>title</c> for a title hit.</param>
/// <param name="CreatedAt">The message's time (the session's creation for a title hit).</param>
/// <param name="Rank">Full-text relevance (0 for a query of fragments only).</param>
/// <param name="HitsInSession">Hits of the whole query in this session, title included.</param>
/// <param name="Title">The session's title.</param>
/// <param name="Branched">Whether the session has branches, so the message may be off the active path.</param>
/// <param name="Body">The whole text that matched.</param>
/// <param name="Headline">PostgreSQL's choice of the best passage for the words, with each match between
/// <see cref="SearchSnippet.MatchStart"/> and <see cref="SearchSnippet.MatchEnd"/>; null for a query without words.</param>
public sealed record class SearchRow(
    Guid SessionId,
    Guid MessageId,
    string Role,
    DateTimeOffset CreatedAt,
    float Rank,
    long HitsInSession,
    string Title,
    bool Branched,
    string Body,
    string? Headline);
