using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Auth;

/// <summary>In development auth mode, prints where the service listens and a ready token for a demo user.</summary>
internal sealed class DevelopmentBanner(
    IServer server, IHostApplicationLifetime lifetime, IOptions<AuthOptions> options, DevelopmentTokens tokens) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Mode == AuthMode.Development)
        {
            lifetime.ApplicationStarted.Register(Print);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5000";
        var token = tokens.Issue(DevelopmentTokens.DemoUserId);
        Console.WriteLine($"""

            Copilot session service is listening on {url}
            Development auth: tokens are signed with a local key (Copilot:Auth:Mode=Development); never expose this.
            Demo user {DevelopmentTokens.DemoUserId}, token valid 30 days:

              Chat console, signed in as the demo user: {url}/#token={token}

              export TOKEN={token}
              curl -N -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
                   -d '{"{"}"message":"How do I inspect a flat roof?","role":"field"{"}"}' {url}/api/copilot

            """);
    }
}
