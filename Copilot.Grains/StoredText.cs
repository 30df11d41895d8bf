using System.Globalization;
using System.Text;

namespace Copilot.Grains;

/// <summary>The one rule for text the service stores, whatever its source. PostgreSQL's <c>jsonb</c> holds neither
/// U+0000 nor an unpaired surrogate, and a single stored one would make the SQL views and the expiry sweep fail for
/// every user: what a user sends with them is refused, what the model sends has U+FFFD in their place.</summary>
public static class StoredText
{
    /// <summary>Whether <paramref name="text"/> can be stored as it is: no U+0000 and no unpaired surrogate.</summary>
    public static bool IsStorable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FirstUnstorable(text) < 0;
    }

    /// <summary><paramref name="text"/> with U+FFFD in place of each U+0000 and unpaired surrogate.</summary>
    public static string Repair(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = FirstUnstorable(text);
        if (first < 0)
        {
            return text;
        }

        var repaired = new StringBuilder(text.Length).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                repaired.Append(c).Append(text[++i]);
            }
            else
            {
                repaired.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return repaired.ToString();
    }

    /// <summary>A title as stored: storable, one line, without control characters (C0, C1, DEL) or bidirectional
    /// overrides and isolates, whitespace runs collapsed, cut at a grapheme-cluster boundary to at most
    /// <paramref name="maxChars"/> UTF-16 units with an ellipsis. Empty when nothing visible is left.</summary>
    public static string Title(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 2);
        var kept = new StringBuilder(text.Length);
        foreach (var c in Repair(text))
        {
            if (char.IsWhiteSpace(c))
            {
                kept.Append(' ');
            }
            else if (!char.IsControl(c) && !IsBidiControl(c))
            {
                kept.Append(c);
            }
        }

        var line = string.Join(' ', kept.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (!HasVisible(line))
        {
            return "";
        }

        return line.Length <= maxChars ? line : CutAtGrapheme(line, maxChars - 1) + "…";
    }

    /// <summary>The longest prefix of <paramref name="text"/> of at most <paramref name="maxChars"/> UTF-16 units that
    /// ends on a grapheme-cluster boundary (an emoji or a letter with its accents is never cut in half).</summary>
    public static string CutAtGrapheme(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxChars)
        {
            return text;
        }

        var end = 0;
        for (var next = 0; next < text.Length; next += StringInfo.GetNextTextElementLength(text, next))
        {
            var after = next + StringInfo.GetNextTextElementLength(text, next);
            if (after > maxChars)
            {
                break;
            }

            end = after;
        }

        return text[..end];
    }

    private static int FirstUnstorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return i;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return i;
                }

                i++;
            }
        }

        return -1;
    }

    // U+202A-U+202E (embeddings and overrides) and U+2066-U+2069 (isolates) reorder what follows them on screen.
    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    // Zero-width and other format characters alone leave a title that shows nothing.
    private static bool HasVisible(string text)
    {
        foreach (var c in text)
        {
            if (c != ' ' && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format)
            {
                return true;
            }
        }

        return false;
    }
}
