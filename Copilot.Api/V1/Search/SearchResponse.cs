using System.Text.Json.Serialization;

namespace Copilot.Api.V1.Search;

/// <summary>A page of search hits, best first.</summary>
/// <param name="Data">The hits: most relevant first, then newest.</param>
/// <param name="HasMore">Whether more hits follow.</param>
/// <param name="NextCursor">Pass as <c>after</c> to get the next page; absent on the last page.</param>
internal sealed record class SearchResponse(
    IReadOnlyList<SearchHit> Data,
    bool HasMore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor);
