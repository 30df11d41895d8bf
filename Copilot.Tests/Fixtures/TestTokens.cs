using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Copilot.Tests.Fixtures;

/// <summary>Mints HS256 tokens the way Supabase does, including every kind of bad one.</summary>
public static class TestTokens
{
    /// <summary>The secret the test apps validate with.</summary>
    public const string Secret = "test-secret-that-is-at-least-32-bytes-long!!";

    /// <summary>The issuer the test apps require.</summary>
    public const string Issuer = "https://test-project.supabase.co/auth/v1";

    /// <summary>The audience the test apps require.</summary>
    public const string Audience = "authenticated";

    /// <summary>A valid token for <paramref name="userId"/>, good for a year (tests move session time by weeks).</summary>
    public static string For(Guid userId) => Create(userId.ToString());

    /// <summary>A token with any of its parts overridden.</summary>
    public static string Create(
        string subject,
        string secret = Secret,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddDays(365);
        var notBefore = expiry < now ? expiry.AddHours(-2) : now.AddMinutes(-5);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("role", "authenticated")]),
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expiry,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });
    }
}
