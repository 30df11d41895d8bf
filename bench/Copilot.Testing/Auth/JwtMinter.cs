using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Copilot.Testing.Auth;

/// <summary>Mints HS256 bearer tokens the way Supabase does, one per user, cached for the minter's life.</summary>
/// <param name="secret">The HS256 secret the service validates with.</param>
/// <param name="issuer">The issuer it requires.</param>
/// <param name="lifetime">How long each token is valid from when it is first asked for.</param>
public sealed class JwtMinter(string secret, string issuer, TimeSpan lifetime)
{
    /// <summary>The audience Supabase puts in its tokens, which the service requires by default.</summary>
    public const string Audience = "authenticated";

    private readonly ConcurrentDictionary<Guid, string> _issued = new();

    /// <summary>A token for <paramref name="userId"/>.</summary>
    public string For(Guid userId) =>
        _issued.GetOrAdd(userId, id => Create(id.ToString(), secret, issuer, Audience, DateTime.UtcNow + lifetime));

    /// <summary>A token with every part chosen, including ones the service must refuse (an expiry in the past, another
    /// secret, issuer or audience).</summary>
    public static string Create(string subject, string secret, string issuer, string audience, DateTime expires)
    {
        var now = DateTime.UtcNow;
        var notBefore = expires < now ? expires.AddHours(-2) : now.AddMinutes(-5);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("role", Audience)]),
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });
    }
}
