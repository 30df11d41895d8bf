using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Copilot.Api.Auth;

/// <summary>Reads a bare JSON Web Key Set (as Supabase publishes) into the configuration the JWT handler consumes,
/// so the handler's own cache, refresh and unknown-key retry apply to it. The keys stay <see cref="JsonWebKey"/>s, so
/// that the algorithm each declares can be checked against the token's (<see cref="AuthHosting"/>).</summary>
internal sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(
        string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        var document = await retriever.GetDocumentAsync(address, cancel);
        var configuration = new OpenIdConnectConfiguration();
        foreach (var key in new JsonWebKeySet(document).Keys)
        {
            if (key.Use is null or JsonWebKeyUseNames.Sig)
            {
                configuration.SigningKeys.Add(key);
            }
        }

        return configuration;
    }
}
