using System.Text;

namespace Copilot.Api.V1.Search;

/// <summary>The plain-text passage of a hit shown to the user, with its matches as character ranges: never markup, so
/// no client can be tricked into rendering a message as HTML.</summary>
internal sealed record class SearchSnippet(string Text, IReadOnlyList<MatchRange> Matches)
{
    /// <summary>Marks the start of a match in <see cref="SearchRow.Headline"/> (a private-use character; this one,
    /// <see cref="MatchEnd"/> and <see cref="TagOpen"/> in a message are read as spaces there).</summary>
    public const char MatchStart = '\uE000';

    /// <summary>Marks the end of a match in <see cref="SearchRow.Headline"/>.</summary>
    public const char MatchEnd = '\uE001';

    /// <summary>Stands for <c>&lt;</c> in <see cref="SearchRow.Headline"/>: PostgreSQL's headline would drop whatever looks
    /// like an HTML tag, and a snippet shows the message as it is.</summary>
    public const char TagOpen = '\uE002';

    /// <summary>The passage's length around a fragment, in characters.</summary>
    public const int Width = 160;

    /// <summary>The passage of <paramref name="row"/>: PostgreSQL's headline for the words, else the text around the first
    /// fragment; the query's fragments marked wherever they appear in it.</summary>
    public static SearchSnippet Of(SearchRow row, SearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(query);
        var (text, matches) = row.Headline is { } headline ? FromHeadline(headline) : ("", new List<MatchRange>());
        if (matches.Count == 0 && query.Fragments.Count > 0)
        {
            text = Window(row.Body, query.Fragments[0]);
        }

        foreach (var fragment in query.Fragments)
        {
            for (var at = text.IndexOf(fragment, StringComparison.OrdinalIgnoreCase); at >= 0;
                 at = text.IndexOf(fragment, at + fragment.Length, StringComparison.OrdinalIgnoreCase))
            {
                var range = new MatchRange(at, fragment.Length);
                if (!matches.Exists(m => m.Start < range.Start + range.Length && range.Start < m.Start + m.Length))
                {
                    matches.Add(range);
                }
            }
        }

        matches.Sort((a, b) => a.Start.CompareTo(b.Start));
        return new SearchSnippet(OneLine(text), matches);
    }

    private static (string Text, List<MatchRange> Matches) FromHeadline(string headline)
    {
        var text = new StringBuilder(headline.Length);
        var matches = new List<MatchRange>();
        var start = -1;
        foreach (var c in headline)
        {
            if (c == MatchStart)
            {
                start = text.Length;
            }
            else if (c == MatchEnd)
            {
                if (start >= 0 && text.Length > start)
                {
                    matches.Add(new MatchRange(start, text.Length - start));
                }

                start = -1;
            }
            else
            {
                text.Append(c == TagOpen ? '<' : c);
            }
        }

        return (text.ToString(), matches);
    }

    /// <summary>About <see cref="Width"/> characters of <paramref name="body"/> around the first occurrence of
    /// <paramref name="fragment"/>, starting and ending at a word boundary where one is near.</summary>
    private static string Window(string body, string fragment)
    {
        var at = Math.Max(0, body.IndexOf(fragment, StringComparison.OrdinalIgnoreCase));
        var matchEnd = Math.Min(body.Length, at + fragment.Length);
        var start = Math.Max(0, at - Math.Max(0, (Width - fragment.Length) / 2));
        var end = Math.Min(body.Length, start + Width);
        start = Math.Max(0, Math.Min(start, end - Width));
        if (start > 0 && body.IndexOf(' ', start, at - start) is var space and >= 0)
        {
            start = space + 1;
        }

        if (end < body.Length && end > matchEnd && body.LastIndexOf(' ', end - 1, end - matchEnd) is var last and > 0)
        {
            end = last;
        }

        if (start > 0 && char.IsLowSurrogate(body[start]))
        {
            start++;
        }

        if (end < body.Length && char.IsLowSurrogate(body[end]))
        {
            end--;
        }

        return body[start..end];
    }

    /// <summary>Line breaks and other control characters as spaces, one for one, so the ranges stay right.</summary>
    private static string OneLine(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = char.IsControl(source[i]) ? ' ' : source[i];
        }
    });
}
