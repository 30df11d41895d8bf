namespace Copilot.Api.Admin;

/// <param name="Success">Always true when returned.</param>
/// <param name="Expired">How many sessions the sweep expired.</param>
/// <param name="UnsentFilesDeleted">How many images the sweep deleted that no message had shown for
/// <c>Copilot:Files:UnsentFileLifetime</c> (uploaded and never sent).</param>
internal sealed record class SweepResult(bool Success, int Expired, int UnsentFilesDeleted);
