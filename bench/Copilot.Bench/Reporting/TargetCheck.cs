namespace Copilot.Bench.Reporting;

/// <summary>One of the targets and whether this run met it (null: not measured).</summary>
internal sealed record class TargetCheck(string Target, string Measured, bool? Met);
