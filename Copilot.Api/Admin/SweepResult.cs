namespace Copilot.Api.Admin;

/// <param name="Success">Always true when returned.</param>
/// <param name="Expired">How many sessions the sweep expired.</param>
internal sealed record class SweepResult(bool Success, int Expired);
