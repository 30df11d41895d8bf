namespace Copilot.Api.V1.Search;

/// <summary>The search index is not whole: PostgreSQL lost it in a crash (it is unlogged) and it is being rebuilt.
/// Nothing stored is lost; a search succeeds again once the rebuild ends.</summary>
public sealed class SearchIndexRebuildingException : Exception
{
    public SearchIndexRebuildingException()
        : base("The search index is being rebuilt.")
    {
    }

    public SearchIndexRebuildingException(string message)
        : base(message)
    {
    }

    public SearchIndexRebuildingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
