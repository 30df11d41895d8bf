using System.Security.Claims;

namespace Copilot.Api.Auth;

/// <summary>Reads the caller's user id.</summary>
internal static class UserClaims
{
    /// <summary>The claim holding the user id (a UUID), as Supabase issues it.</summary>
    public const string Subject = "sub";

    /// <summary>The authenticated user's id. Authentication has already refused tokens whose <c>sub</c> is not a UUID.</summary>
    public static Guid GetUserId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(Subject) ?? throw new InvalidOperationException("No authenticated user."));
}
