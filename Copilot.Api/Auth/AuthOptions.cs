using Microsoft.IdentityModel.Tokens;

namespace Copilot.Api.Auth;

/// <summary>Bearer-token validation, bound from <c>Copilot:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Copilot:Auth";

    public const string DevelopmentIssuer = "copilot-development";

    /// <summary>The setting's name as an environment variable, for messages to operators.</summary>
    public const string ModeVariable = "Copilot__Auth__Mode";

    /// <summary><see cref="AuthMode.Jwt"/> or <see cref="AuthMode.Development"/>. No default: unset, the service refuses
    /// to start, except on the embedded PostgreSQL (a local trial), where it means Development.</summary>
    public AuthMode? Mode { get; set; }

    /// <summary>HS256 signing secret (Supabase's JWT secret). Jwt mode needs this or <see cref="JwksUrl"/>.</summary>
    public string? JwtSecret { get; set; }

    /// <summary>URL of the provider's JSON Web Key Set, for asymmetric keys
    /// (Supabase: <c>https://&lt;project&gt;.supabase.co/auth/v1/.well-known/jwks.json</c>).</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>The algorithms accepted for a JWKS key that declares none (<c>alg</c>); a key that declares one is used
    /// with that algorithm only. Default RS256 and ES256.</summary>
    public string[] JwksAlgorithms { get; set; } = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>Required issuer (Supabase: <c>https://&lt;project&gt;.supabase.co/auth/v1</c>). Required in Jwt mode.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required audience. Default <c>authenticated</c>, as Supabase issues.</summary>
    public string Audience { get; set; } = "authenticated";

    /// <summary>Refuse a JWKS URL that is not HTTPS (loopback excepted). Default true.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Where the development signing key is kept. Default <c>.data/dev-signing-key</c>.</summary>
    public string DevelopmentKeyPath { get; set; } = Path.Combine(".data", "dev-signing-key");

    /// <summary>Clock skew allowed when checking expiry. Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
