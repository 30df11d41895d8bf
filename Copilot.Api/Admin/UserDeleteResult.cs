namespace Copilot.Api.Admin;

/// <summary>The answer of a user deletion.</summary>
/// <param name="Success">Always true when returned.</param>
/// <param name="Deleted">How many sessions were deleted (0 when the user had none left: deleting twice is harmless).</param>
public sealed record class UserDeleteResult(bool Success, int Deleted);
