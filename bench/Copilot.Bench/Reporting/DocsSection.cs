namespace Copilot.Bench.Reporting;

/// <summary>
/// The part of a Markdown page between <see cref="Begin"/> and <see cref="End"/> that the bench owns: a run replaces
/// it with its report and leaves the rest of the page as written, so published figures are refreshed by running the
/// bench, never retyped.
/// </summary>
internal static class DocsSection
{
    public const string Begin = "<!-- bench:begin -->";

    public const string End = "<!-- bench:end -->";

    /// <summary>The page with the text between its markers replaced by <paramref name="report"/>.</summary>
    /// <exception cref="FormatException">The page does not hold exactly one <see cref="Begin"/> followed by one <see cref="End"/>.</exception>
    public static string Replace(string page, string report)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(report);
        var begin = page.IndexOf(Begin, StringComparison.Ordinal);
        var end = page.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin
            || page.IndexOf(Begin, begin + Begin.Length, StringComparison.Ordinal) >= 0
            || page.IndexOf(End, end + End.Length, StringComparison.Ordinal) >= 0)
        {
            throw new FormatException($"expected one '{Begin}' line followed by one '{End}' line");
        }

        return $"{page[..(begin + Begin.Length)]}\n\n{report.Trim('\n')}\n\n{page[end..]}";
    }

    /// <summary>Writes <paramref name="report"/> between the markers of the page at <paramref name="path"/>; says on
    /// standard error what it did, since a page it cannot update must not cost the run's figures.</summary>
    public static async Task WriteAsync(string path, string report, CancellationToken cancellationToken)
    {
        try
        {
            var page = await File.ReadAllTextAsync(path, cancellationToken);
            await File.WriteAllTextAsync(path, Replace(page, report), cancellationToken);
            await Console.Error.WriteLineAsync($"Wrote the tables into {Path.GetFullPath(path)}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            await Console.Error.WriteLineAsync($"warning: tables not written into {path}: {ex.Message}");
        }
    }

    /// <summary>Checks <see cref="Replace"/> on sample pages (<c>--check-docs-writer</c>); 0 when it behaves.</summary>
    public static int SelfCheck()
    {
        const string page = $"# Title\n\nProse.\n\n{Begin}\n\nold table\n\n{End}\n\nMore prose.\n";
        const string expected = $"# Title\n\nProse.\n\n{Begin}\n\n| new |\n\n{End}\n\nMore prose.\n";
        var once = Replace(page, "| new |\n");
        var failures = new List<string>();
        if (once != expected)
        {
            failures.Add($"replacing gave:\n{once}");
        }

        if (Replace(once, "| new |\n") != once)
        {
            failures.Add("replacing twice with the same report changed the page");
        }

        foreach (var bad in new[] { "no markers", $"{End}\n{Begin}", $"{Begin}\n{End}\n{Begin}\n{End}" })
        {
            try
            {
                Replace(bad, "x");
                failures.Add($"accepted a page without one pair of markers in order: {bad.ReplaceLineEndings(" ")}");
            }
            catch (FormatException)
            {
            }
        }

        Console.WriteLine(failures.Count == 0 ? "docs writer: ok" : $"docs writer: FAILED\n{string.Join('\n', failures)}");
        return failures.Count == 0 ? 0 : 1;
    }
}
