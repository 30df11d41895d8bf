using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Copilot.Chaos.Workload;

/// <summary>HS256 bearer tokens as Supabase issues them, one per user, cached.</summary>
internal sealed class ChaosTokens(string secret, string issuer)
{
    private readonly SymmetricSecurityKey _key = new(Encoding.UTF8.GetBytes(secret));
    private readonly ConcurrentDictionary<Guid, string> _issued = new();

    /// <summary>A token for <paramref name="userId"/>, valid for a day.</summary>
    public string For(Guid userId) => _issued.GetOrAdd(userId, id =>
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "authenticated",
            Subject = new ClaimsIdentity([new Claim("sub", id.ToString())]),
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddDays(1),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    });
}
