using System.Globalization;

namespace Copilot.Bench.Reporting;

/// <summary>One of the targets, what this run measured, and whether it met it (null: not measured) or by how much it
/// missed.</summary>
internal sealed record class TargetCheck(string Target, string Measured, bool? Met, string? MissedBy)
{
    /// <summary>A target that <paramref name="value"/> must not exceed.</summary>
    public static TargetCheck AtMost(string target, double? value, double limit, string measured) => value is not { } v || double.IsNaN(v)
        ? new TargetCheck(target, "not measured", null, null)
        : new TargetCheck(target, measured, v <= limit, v <= limit ? null : Over(v, limit));

    /// <summary>A target that <paramref name="value"/> must reach.</summary>
    public static TargetCheck AtLeast(string target, double? value, double limit, string measured) => value is not { } v || double.IsNaN(v)
        ? new TargetCheck(target, "not measured", null, null)
        : new TargetCheck(target, measured, v >= limit, v >= limit ? null : string.Create(
            CultureInfo.InvariantCulture, $"{1 - (v / limit):0%} short ({v:0.00} of {limit:0.##} wanted)"));

    private static string Over(double value, double limit) => limit > 0 && value / limit < 2
        ? string.Create(CultureInfo.InvariantCulture, $"{(value / limit) - 1:0%} over the limit")
        : string.Create(CultureInfo.InvariantCulture, $"{value / limit:0.0}× the limit");
}
