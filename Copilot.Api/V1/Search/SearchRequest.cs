namespace Copilot.Api.V1.Search;

/// <summary>One page of one user's search.</summary>
/// <param name="UserId">The caller: the only user whose rows are read.</param>
/// <param name="Query">What to look for.</param>
/// <param name="Limit">Hits wanted; one more is read to tell whether more follow.</param>
/// <param name="After">The previous page's end, or null for the first page.</param>
/// <param name="Persona">Only sessions of this persona (its wire name), or null for all.</param>
/// <param name="From">Only messages written at or after this time, or null.</param>
/// <param name="To">Only messages written before this time, or null.</param>
public sealed record class SearchRequest(
    Guid UserId, SearchQuery Query, int Limit, SearchCursor? After, string? Persona, DateTimeOffset? From, DateTimeOffset? To);
