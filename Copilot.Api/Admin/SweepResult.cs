namespace Copilot.Api.Admin;

/// <summary>The answer of the expiry sweep.</summary>
/// <param name="Success">Always true when returned.</param>
/// <param name="Expired">How many sessions the sweep expired.</param>
public sealed record class SweepResult(bool Success, int Expired);
