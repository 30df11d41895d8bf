namespace Copilot.Api.V1.Search;

/// <summary>Reads the search index (<c>copilot_search</c>, kept by the storage write itself).</summary>
public interface IMessageSearch
{
    /// <summary>Up to <see cref="SearchRequest.Limit"/> + 1 of the user's hits after the cursor, best first.</summary>
    /// <exception cref="SearchQueryEmptyException">The words name nothing a hit must hold (stop words or exclusions
    /// only) and there is no fragment.</exception>
    /// <exception cref="SearchIndexRebuildingException">The index is not whole.</exception>
    Task<IReadOnlyList<SearchRow>> SearchAsync(SearchRequest request, CancellationToken cancellationToken);
}
