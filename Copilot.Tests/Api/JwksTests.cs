using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Copilot.Tests.Fixtures.Apps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Copilot.Tests.Api;

/// <summary>Jwt mode with a JWKS URL, as for Supabase projects with asymmetric signing keys: the keys are served by a
/// real HTTP server on 127.0.0.1 and fetched by the service.</summary>
/// <remarks>The tests only present tokens, so they share one app and one key server (<see cref="Fixture"/>).</remarks>
public sealed class JwksTests(JwksTests.Fixture fixture) : IClassFixture<JwksTests.Fixture>
{
    private const string Issuer = "https://jwks-project.supabase.co/auth/v1";

    [Fact]
    public async Task Tokens_signed_with_a_published_rsa_or_ec_key_are_accepted()
    {
        var rsaToken = Sign(new RsaSecurityKey(fixture.Rsa) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256, Guid.NewGuid());
        var ecToken = Sign(new ECDsaSecurityKey(fixture.Ec) { KeyId = "ec-1" }, SecurityAlgorithms.EcdsaSha256, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.OK, await ListAsync(rsaToken));
        Assert.Equal(HttpStatusCode.OK, await ListAsync(ecToken));
    }

    [Fact]
    public async Task Tokens_signed_with_an_unpublished_key_or_an_hs256_secret_are_refused()
    {
        using var stranger = RSA.Create(2048);
        var unknownKey = Sign(new RsaSecurityKey(stranger) { KeyId = "rsa-2" }, SecurityAlgorithms.RsaSha256, Guid.NewGuid());
        var forgedKid = Sign(new RsaSecurityKey(stranger) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256, Guid.NewGuid());
        var hs256 = TestTokens.Create(Guid.NewGuid().ToString(), issuer: Issuer);

        Assert.Equal(HttpStatusCode.Unauthorized, await ListAsync(unknownKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAsync(forgedKid));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAsync(hs256));
    }

    [Theory]
    [InlineData("rsa-1", SecurityAlgorithms.RsaSsaPssSha256)]
    [InlineData("rsa-1", SecurityAlgorithms.RsaSha512)]
    [InlineData("rsa-declared", SecurityAlgorithms.RsaSsaPssSha256)]
    [InlineData("rsa-declared", SecurityAlgorithms.RsaSha512)]
    public async Task A_token_signed_by_an_rs256_key_with_another_algorithm_is_refused(string keyId, string algorithm)
    {
        var rsa = keyId == "rsa-1" ? fixture.Rsa : fixture.DeclaredRsa;
        var token = Sign(new RsaSecurityKey(rsa) { KeyId = keyId }, algorithm, Guid.NewGuid());
        var rs256 = Sign(new RsaSecurityKey(rsa) { KeyId = keyId }, SecurityAlgorithms.RsaSha256, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.Unauthorized, await ListAsync(token));
        Assert.Equal(HttpStatusCode.OK, await ListAsync(rs256));
    }

    private static JsonWebKey Declared(JsonWebKey key, string algorithm)
    {
        key.Alg = algorithm;
        return key;
    }

    private static ECDsa PublicOnly(ECDsa key)
    {
        var publicKey = ECDsa.Create();
        publicKey.ImportParameters(key.ExportParameters(false));
        return publicKey;
    }

    private static string Sign(SecurityKey key, string algorithm, Guid userId) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = TestTokens.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", userId.ToString())]),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, algorithm),
        });

    private async Task<HttpStatusCode> ListAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/copilot");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fixture.App.CreateClient().SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The published keys, the server that publishes them, and the app that fetches them.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private WebApplication _keyServer = null!;

        public RSA Rsa { get; } = RSA.Create(2048);

        public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        /// <summary>An RSA key published with its algorithm declared (RS256).</summary>
        public RSA DeclaredRsa { get; } = RSA.Create(2048);

        public CopilotAppFactory App { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var jwks = new
            {
                keys = new[]
                {
                    JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Rsa.ExportParameters(false)) { KeyId = "rsa-1" }),
                    JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(PublicOnly(Ec)) { KeyId = "ec-1" }),
                    Declared(JsonWebKeyConverter.ConvertFromRSASecurityKey(
                        new RsaSecurityKey(DeclaredRsa.ExportParameters(false)) { KeyId = "rsa-declared" }), SecurityAlgorithms.RsaSha256),
                },
            };
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            _keyServer = builder.Build();
            var document = JsonSerializer.Serialize(jwks, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
            _keyServer.MapGet("/auth/v1/.well-known/jwks.json", () => Results.Text(document, "application/json"));
            await _keyServer.StartAsync();
            var address = _keyServer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

            App = await CopilotAppFactory.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Copilot:Auth:JwtSecret"] = null,
                ["Copilot:Auth:JwksUrl"] = $"{address}/auth/v1/.well-known/jwks.json",
                ["Copilot:Auth:Issuer"] = Issuer,
            });
        }

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await _keyServer.DisposeAsync();
            Rsa.Dispose();
            Ec.Dispose();
            DeclaredRsa.Dispose();
        }
    }
}
