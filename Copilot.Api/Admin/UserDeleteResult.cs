namespace Copilot.Api.Admin;

/// <param name="Success">Always true when returned.</param>
/// <param name="Deleted">How many sessions were deleted (0 when the user had none left: deleting twice is harmless).</param>
internal sealed record class UserDeleteResult(bool Success, int Deleted);
