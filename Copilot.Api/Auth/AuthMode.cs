namespace Copilot.Api.Auth;

/// <summary>How bearer tokens are validated.</summary>
public enum AuthMode
{
    /// <summary>Tokens signed with a key generated on first run and kept under <c>.data/</c>: the embedded default.</summary>
    Development,

    /// <summary>Tokens from the real identity provider (Supabase): an HS256 secret or a JWKS URL, issuer and audience checked.</summary>
    Jwt,
}
