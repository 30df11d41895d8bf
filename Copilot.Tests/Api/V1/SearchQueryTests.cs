using Copilot.Api.V1.Search;

namespace Copilot.Tests.Api.V1;

/// <summary>How a typed query splits into words for full-text search and fragments for substrings, and how a hit's
/// snippet carries its matches; no cluster.</summary>
public sealed class SearchQueryTests
{
    [Theory]
    [InlineData("flashing", "flashing", "", "")]
    [InlineData("chimney or skylight", "chimney or skylight", "", "")]
    [InlineData("\"water shield\" -rake", "\"water shield\" -rake", "", "")]
    [InlineData("ice-and-water shield", "ice-and-water shield", "", "")]
    [InlineData("RG-2041,", null, "RG-2041", "")]
    [InlineData("\"1420 Elm\" gutters", "gutters", "1420 Elm", "")]
    [InlineData("roof -RG-2041 - ?", "roof", "", "RG-2041")]
    [InlineData("-rake RG-2041", "-rake", "RG-2041", "")]
    [InlineData("-\"water shield\" RG-2041", "-\"water shield\"", "RG-2041", "")]
    public void A_query_splits_into_words_and_fragments(string typed, string? words, string fragments, string excluded)
    {
        var query = SearchQuery.Parse(typed);

        Assert.NotNull(query);
        Assert.Equal(words, query.Words);
        Assert.Equal(fragments.Length == 0 ? [] : fragments.Split('|'), query.Fragments);
        Assert.Equal(excluded.Length == 0 ? [] : excluded.Split('|'), query.ExcludedFragments);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-roof")]
    [InlineData("-RG-2041 or")]
    [InlineData("-\"water shield\"")]
    [InlineData("-\"water shield\" -rake")]
    [InlineData("\"\" - ...")]
    public void A_query_with_nothing_to_find_is_refused(string typed) => Assert.Null(SearchQuery.Parse(typed));

    [Fact]
    public void A_headline_becomes_plain_text_with_the_matches_as_ranges_and_fragments_are_marked_too()
    {
        var row = Row("Step flashing at RG-2041\nneeds a kickout", $"Step {SearchSnippet.MatchStart}flashing{SearchSnippet.MatchEnd} at RG-2041\nneeds a kickout");

        var snippet = SearchSnippet.Of(row, SearchQuery.Parse("flash rg-2041")!);

        Assert.Equal("Step flashing at RG-2041 needs a kickout", snippet.Text);
        Assert.Equal([new MatchRange(5, 8), new MatchRange(17, 7)], snippet.Matches);
    }

    [Fact]
    public void Markup_in_a_message_stays_in_its_snippet_as_text()
    {
        var row = Row("Step <b>flashing</b>", $"Step {SearchSnippet.TagOpen}b>{SearchSnippet.MatchStart}flashing{SearchSnippet.MatchEnd}{SearchSnippet.TagOpen}/b>");

        var snippet = SearchSnippet.Of(row, SearchQuery.Parse("flash")!);

        Assert.Equal("Step <b>flashing</b>", snippet.Text);
        Assert.Equal([new MatchRange(8, 8)], snippet.Matches);
    }

    [Fact]
    public void A_fragment_only_hit_shows_the_text_around_its_first_occurrence()
    {
        var body = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}")) + " job RG-2041 " + string.Join(' ', Enumerable.Range(0, 60).Select(i => $"tail{i}"));

        var snippet = SearchSnippet.Of(Row(body, null), SearchQuery.Parse("RG-2041")!);

        Assert.InRange(snippet.Text.Length, 100, SearchSnippet.Width);
        Assert.Equal("RG-2041", snippet.Text.Substring(snippet.Matches[0].Start, snippet.Matches[0].Length));
        Assert.Single(snippet.Matches);
        Assert.StartsWith("word", snippet.Text);
        Assert.StartsWith("tail", snippet.Text.Split(' ')[^1]);
    }

    private static SearchRow Row(string body, string? headline) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "user", DateTimeOffset.UnixEpoch, 0.1f, 1, "title", false, body, headline);
}
