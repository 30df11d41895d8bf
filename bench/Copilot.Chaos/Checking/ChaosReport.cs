using System.Text;
using Copilot.Chaos.Faults;
using Copilot.Chaos.Workload;

namespace Copilot.Chaos.Checking;

/// <summary>The run's tables, in Markdown.</summary>
internal static class ChaosReport
{
    /// <summary>Turns, answers, faults and invariants; the last line counts the invariants by verdict.</summary>
    public static string Render(
        ChaosSettings settings, IReadOnlyList<Send> ledger, IReadOnlyList<Fault> faults, IReadOnlyList<Invariant> invariants, DateTime start)
    {
        var text = new StringBuilder();
        var acknowledged = ledger.Count(s => s.Outcome == SendOutcome.Acknowledged);
        var lost = Count(invariants, 0);
        var duplicated = Count(invariants, 1);
        text.AppendLine();
        text.AppendLine($"### Chaos run: {settings.Silos} silos, {settings.Users} users, {settings.Duration.TotalSeconds:0} s, seed {settings.Seed}");
        text.AppendLine();
        text.AppendLine("| turns attempted | sent again | acknowledged | lost | duplicated | answers |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | --- |");
        var answers = ledger
            .GroupBy(s => s.Outcome switch
            {
                SendOutcome.Acknowledged => s.CutShort is null ? "200" : $"200 cut short ({s.CutShort})",
                SendOutcome.Refused => $"{s.Status} {s.Code}".TrimEnd(),
                SendOutcome.BrokenStream => "200, stream broke off",
                SendOutcome.Abandoned => "200, client left after the first chunk",
                SendOutcome.NoAnswer => "no answer (connection refused or reset)",
                _ => "hang",
            })
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key}: {g.Count():N0}");
        text.AppendLine($"| {ledger.Count:N0} | {ledger.Count(s => s.Attempt > 0):N0} | {acknowledged:N0} | {lost} | {duplicated} | {string.Join(", ", answers)} |");
        text.AppendLine();
        text.AppendLine("| # | at | fault | lasted | full service again after |");
        text.AppendLine("| ---: | ---: | --- | ---: | ---: |");
        for (var i = 0; i < faults.Count; i++)
        {
            var f = faults[i];
            text.AppendLine($"| {i + 1} | {(f.InjectedAt - start).TotalSeconds:0.0} s | {FaultScheduler.Describe(f)} | {(f.EndedAt - f.InjectedAt).TotalSeconds:0.0} s | "
                + (f.Recovery is { } r ? $"{r.TotalSeconds:0.0} s" : "never") + " |");
        }

        text.AppendLine();
        text.AppendLine("| invariant | verdict | detail |");
        text.AppendLine("| --- | --- | --- |");
        foreach (var invariant in invariants)
        {
            text.AppendLine($"| {invariant.Name} | {invariant.Verdict.ToString().ToLowerInvariant()} | {invariant.Detail.Replace("|", "/", StringComparison.Ordinal)} |");
        }

        text.AppendLine();
        text.Append(Summary(invariants));
        return text.ToString();
    }

    /// <summary>"N passed, N failed, N skipped".</summary>
    public static string Summary(IReadOnlyList<Invariant> invariants) =>
        $"{invariants.Count(i => i.Verdict == Verdict.Passed)} passed, {invariants.Count(i => i.Verdict == Verdict.Failed)} failed, "
        + $"{invariants.Count(i => i.Verdict == Verdict.Skipped)} skipped";

    // The violation count leads a failed invariant's detail ("3 of 1,200 ...").
    private static string Count(IReadOnlyList<Invariant> invariants, int index) =>
        invariants[index].Verdict == Verdict.Failed ? invariants[index].Detail.Split(' ')[0] : "0";
}
