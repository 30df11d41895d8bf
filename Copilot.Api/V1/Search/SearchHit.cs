using System.Text.Json.Serialization;

namespace Copilot.Api.V1.Search;

/// <summary>One search hit: a message, or a session's title.</summary>
/// <param name="SessionId">The session (open it with <c>GET /v1/sessions/{id}/messages?around=</c> the message id).</param>
/// <param name="Title">The session's title.</param>
/// <param name="Kind"><c>message</c> or <c>title</c>.</param>
/// <param name="MessageId">The message; absent for a title hit.</param>
/// <param name="Role"><c>user</c> or <c>assistant</c>; absent for a title hit.</param>
/// <param name="CreatedAt">When the message was written (for a title, when the session was created).</param>
/// <param name="Snippet">Plain text around the match (not HTML: show it as text).</param>
/// <param name="Matches">The matched parts of <paramref name="Snippet"/>, in UTF-16 code units.</param>
/// <param name="HitsInSession">How many hits the whole query has in this session.</param>
/// <param name="OnActivePath">False for a message on a branch that is not the session's active one (make it active with
/// <c>PUT /v1/sessions/{id}/active</c>); absent for a title hit.</param>
internal sealed record class SearchHit(
    Guid SessionId,
    string Title,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? MessageId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    DateTimeOffset CreatedAt,
    string Snippet,
    IReadOnlyList<MatchRange> Matches,
    long HitsInSession,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? OnActivePath);
