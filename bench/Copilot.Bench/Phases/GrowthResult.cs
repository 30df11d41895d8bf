namespace Copilot.Bench.Phases;

/// <summary>The growth figures, and the longest session they left behind (for the read figures).</summary>
internal sealed record class GrowthResult(IReadOnlyList<GrowthFigure> Figures, Guid LongestUser, Guid LongestSession, int LongestLength, string PrefillMethod);
