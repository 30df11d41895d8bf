using System.Text;
using System.Text.RegularExpressions;

namespace Copilot.Api.V1.Search;

/// <summary>What a search looks for, split from what people type: words for PostgreSQL's full-text search (English
/// stemming, "quoted phrases", <c>-excluded</c> words, <c>or</c>), and fragments that are not words (job numbers,
/// addresses, part codes such as <c>RG-2041</c> or <c>"1420 Elm"</c>), found as substrings.</summary>
/// <param name="Words">The text for <c>websearch_to_tsquery('english', ...)</c>; null when the query has no words.</param>
/// <param name="Fragments">Substrings every hit holds (case-insensitive).</param>
/// <param name="ExcludedFragments">Substrings no hit holds (a fragment written with a leading <c>-</c>).</param>
public sealed partial record class SearchQuery(string? Words, IReadOnlyList<string> Fragments, IReadOnlyList<string> ExcludedFragments)
{
    /// <summary>The longest query accepted, in characters.</summary>
    public const int MaxChars = 200;

    /// <summary>Splits <paramref name="text"/>; null when nothing in it can be looked for (blank, or only exclusions).
    /// Text with NUL (U+0000) cannot be searched for (PostgreSQL's text holds none): the caller refuses it first.</summary>
    /// <remarks>A token or a quoted phrase made of letters only (with apostrophes and hyphens between them, as in
    /// <c>ice-and-water</c>) is words; anything else (a digit, a slash, a dot inside) is a fragment. Punctuation around a
    /// token is dropped (<c>RG-2041,</c> is <c>RG-2041</c>), and a token without a letter or digit is ignored.</remarks>
    public static SearchQuery? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new StringBuilder();
        var fragments = new List<string>();
        var excluded = new List<string>();
        var hasPositiveWord = false;
        foreach (Match token in Tokens().Matches(text))
        {
            var negated = token.Groups["neg"].Success;
            var quoted = token.Groups["phrase"].Success;
            var value = quoted ? token.Groups["phrase"].Value.Trim() : token.Groups["word"].Value.Trim(Punctuation);
            if (!value.Any(char.IsLetterOrDigit))
            {
                continue;
            }

            if (IsWords(value))
            {
                words.Append(' ').Append(negated ? "-" : "").Append(quoted ? $"\"{value}\"" : value);
                hasPositiveWord |= !negated && (quoted || !value.Equals("or", StringComparison.OrdinalIgnoreCase));
            }
            else
            {
                (negated ? excluded : fragments).Add(value);
            }
        }

        // Excluded words stay with the fragments ("-rake RG-2041"); whether a word is a stop word only PostgreSQL knows,
        // so the search asks it (IMessageSearch).
        var wordText = words.ToString().Trim();
        return hasPositiveWord || fragments.Count > 0
            ? new SearchQuery(wordText.Length > 0 ? wordText : null, fragments, excluded)
            : null;
    }

    private static readonly char[] Punctuation = [.. ".,;:!?()[]{}<>'\"`".ToCharArray()];

    private static bool IsWords(string value) => value.All(c => char.IsLetter(c) || c is '\'' or '’' or '-' || char.IsWhiteSpace(c));

    /// <summary>A quoted phrase or a run of non-space characters, each with an optional leading minus.</summary>
    [GeneratedRegex("""(?<neg>-)?(?:"(?<phrase>[^"]*)"?|(?<word>[^\s"]+))""")]
    private static partial Regex Tokens();
}
