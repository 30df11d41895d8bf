namespace Copilot.Chaos.Checking;

/// <summary>One checked promise, its verdict and what backs it.</summary>
/// <param name="Name">The promise.</param>
/// <param name="Verdict">Whether it held.</param>
/// <param name="Detail">Counts, and the first examples of a violation.</param>
internal sealed record class Invariant(string Name, Verdict Verdict, string Detail)
{
    /// <summary>Failed when there are <paramref name="violations"/>, even when nothing else was checked: a checker
    /// that finds no cases where the ledger says there were some reports that as a violation, and it must not turn
    /// into a skip. Otherwise skipped when nothing was checked, and passed.</summary>
    public static Invariant From(string name, int checkedCount, IReadOnlyList<string> violations, string what)
    {
        if (violations.Count > 0)
        {
            return new(name, Verdict.Failed, $"{violations.Count:N0} of {checkedCount:N0} {what}: " + string.Join("; ", violations.Take(3)));
        }

        return checkedCount == 0
            ? new(name, Verdict.Skipped, $"no {what} to check")
            : new(name, Verdict.Passed, $"{checkedCount:N0} {what} checked");
    }
}
