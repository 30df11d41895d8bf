using Copilot.Testing.Auth;

namespace Copilot.Tests.Fixtures.Apps;

/// <summary>The tokens the test apps accept, and every kind of bad one.</summary>
public static class TestTokens
{
    /// <summary>The secret the test apps validate with.</summary>
    public const string Secret = "test-secret-that-is-at-least-32-bytes-long!!";

    /// <summary>The issuer the test apps require.</summary>
    public const string Issuer = "https://test-project.supabase.co/auth/v1";

    /// <summary>The audience the test apps require.</summary>
    public const string Audience = JwtMinter.Audience;

    /// <summary>A valid token for <paramref name="userId"/>, good for a year (tests move session time by weeks).</summary>
    public static string For(Guid userId) => Create(userId.ToString());

    /// <summary>A token with any of its parts overridden.</summary>
    public static string Create(
        string subject,
        string secret = Secret,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null) =>
        JwtMinter.Create(subject, secret, issuer, audience, expires ?? DateTime.UtcNow.AddDays(365));
}
