using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Copilot.Api.Auth;

/// <summary>The development signing key (generated on first run, kept on disk) and the tokens it signs.</summary>
public sealed class DevelopmentTokens(IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>A fixed user for demos and the start-up banner.</summary>
    public static readonly Guid DemoUserId = Guid.Parse("d3e0c0de-0000-4000-8000-000000000001");

    private readonly Lazy<SymmetricSecurityKey> _key = new(() => LoadOrCreateKey(options.Value.DevelopmentKeyPath));

    public SymmetricSecurityKey Key => _key.Value;

    /// <summary>A token for <paramref name="userId"/>, valid for <paramref name="lifetime"/> (default 30 days).</summary>
    public string Issue(Guid userId, TimeSpan? lifetime = null)
    {
        var now = time.GetUtcNow();
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.DevelopmentIssuer,
            Audience = options.Value.Audience,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, userId.ToString())]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + (lifetime ?? TimeSpan.FromDays(30))).UtcDateTime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static SymmetricSecurityKey LoadOrCreateKey(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                // CreateNew: two silos starting together must not overwrite each other's key.
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(stream);
                writer.Write(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(path).Trim())) { KeyId = "copilot-development" };
    }
}
