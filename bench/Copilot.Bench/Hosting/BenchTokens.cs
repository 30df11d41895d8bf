using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Copilot.Bench.Hosting;

/// <summary>Mints HS256 bearer tokens the way Supabase does, one per virtual user, cached.</summary>
internal sealed class BenchTokens(string secret, string issuer)
{
    /// <summary>The audience the service requires by default.</summary>
    public const string Audience = "authenticated";

    private readonly SymmetricSecurityKey _key = new(Encoding.UTF8.GetBytes(secret));
    private readonly Dictionary<Guid, string> _issued = [];
    private readonly Lock _lock = new();

    /// <summary>A token for <paramref name="userId"/>, valid for two hours.</summary>
    public string For(Guid userId)
    {
        lock (_lock)
        {
            if (!_issued.TryGetValue(userId, out var token))
            {
                var now = DateTime.UtcNow;
                token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
                {
                    Issuer = issuer,
                    Audience = Audience,
                    Subject = new ClaimsIdentity([new Claim("sub", userId.ToString()), new Claim("role", Audience)]),
                    IssuedAt = now,
                    NotBefore = now.AddMinutes(-1),
                    Expires = now.AddHours(2),
                    SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
                });
                _issued[userId] = token;
            }

            return token;
        }
    }
}
