using Copilot.Api.Auth;
using Copilot.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Copilot.Tests.Hosting;

/// <summary>Auth fails closed: Development only when asked for, or on the embedded database of a local trial.</summary>
public sealed class AuthModeTests
{
    [Fact]
    public void On_the_embedded_database_an_unset_mode_means_development() =>
        Assert.Equal(AuthMode.Development, ResolveMode(connectionString: null, mode: null));

    [Fact]
    public void On_a_configured_database_an_unset_mode_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => ResolveMode("Host=db.example;Username=copilot", mode: null));

        Assert.StartsWith("Copilot__Auth__Mode is not set", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Development", AuthMode.Development)]
    [InlineData("Host=db.example;Username=copilot", "Development", AuthMode.Development)]
    [InlineData(null, "Jwt", AuthMode.Jwt)]
    public void An_explicit_mode_is_kept(string? connectionString, string mode, AuthMode expected) =>
        Assert.Equal(expected, ResolveMode(connectionString, mode));

    private static AuthMode? ResolveMode(string? connectionString, string? mode)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Copilot"] = connectionString,
            ["Copilot:Auth:Mode"] = mode,
            ["Copilot:Auth:JwtSecret"] = Fixtures.Apps.TestTokens.Secret,
            ["Copilot:Auth:Issuer"] = Fixtures.Apps.TestTokens.Issuer,
        });
        builder.AddCopilotDatabase();
        builder.AddCopilotAuth();
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode;
    }
}
