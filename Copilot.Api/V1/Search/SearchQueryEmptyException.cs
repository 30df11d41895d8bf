namespace Copilot.Api.V1.Search;

/// <summary>The query names nothing a hit must hold: its words are stop words or exclusions only, and it has no
/// fragment. It would match all but everything, so it is refused.</summary>
public sealed class SearchQueryEmptyException : Exception
{
    public SearchQueryEmptyException()
        : base("The query names nothing to find.")
    {
    }

    public SearchQueryEmptyException(string message)
        : base(message)
    {
    }

    public SearchQueryEmptyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
