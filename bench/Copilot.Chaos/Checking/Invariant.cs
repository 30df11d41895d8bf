namespace Copilot.Chaos.Checking;

/// <summary>One checked promise, its verdict and what backs it.</summary>
/// <param name="Name">The promise.</param>
/// <param name="Verdict">Whether it held.</param>
/// <param name="Detail">Counts, and the first examples of a violation.</param>
internal sealed record class Invariant(string Name, Verdict Verdict, string Detail)
{
    /// <summary>Passed when <paramref name="violations"/> is empty, failed otherwise; skipped when nothing was checked.</summary>
    public static Invariant From(string name, int checkedCount, IReadOnlyList<string> violations, string what)
    {
        if (checkedCount == 0)
        {
            return new(name, Verdict.Skipped, $"no {what} to check");
        }

        return violations.Count == 0
            ? new(name, Verdict.Passed, $"{checkedCount:N0} {what} checked")
            : new(name, Verdict.Failed, $"{violations.Count:N0} of {checkedCount:N0} {what}: " + string.Join("; ", violations.Take(3)));
    }
}
