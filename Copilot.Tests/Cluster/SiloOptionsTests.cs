using System.Net;
using System.Net.NetworkInformation;
using Copilot.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Copilot.Tests.Cluster;

/// <summary>The timings the service's silo is built with (the host is built, not started).</summary>
public sealed class SiloOptionsTests
{
    [Fact]
    public async Task Membership_uses_the_tuned_timings_when_nothing_is_configured()
    {
        await using var app = BuildSilo(new Dictionary<string, string?>());

        var membership = app.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(3), membership.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), membership.MinProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), membership.MaxProbeTimeout);
        Assert.Equal(3, membership.NumMissedProbesLimit);
        Assert.Equal(2, membership.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(5), membership.IAmAliveTablePublishTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), membership.TableRefreshTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), membership.DeathVoteExpirationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(14), app.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.RangeLeaseDuration);
    }

    [Fact]
    public async Task Configured_membership_values_override_the_tuned_ones_and_the_lease_follows_them()
    {
        await using var app = BuildSilo(new Dictionary<string, string?>
        {
            ["Copilot:Cluster:Membership:ProbeTimeout"] = "00:00:05",
            ["Copilot:Cluster:Membership:MaxProbeTimeout"] = "00:00:06",
            ["Copilot:Cluster:Membership:TableRefreshTimeout"] = "00:00:10",
            ["Copilot:Cluster:Membership:NumVotesForDeathDeclaration"] = "1",
        });

        var membership = app.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), membership.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(6), membership.MaxProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), membership.TableRefreshTimeout);
        Assert.Equal(1, membership.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(2), membership.MinProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), membership.IAmAliveTablePublishTimeout);

        // 6 s x 3 missed probes + 10 s table refresh + 2 s margin.
        Assert.Equal(TimeSpan.FromSeconds(30), app.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.RangeLeaseDuration);
    }

    [Theory]
    [InlineData(null, 30, 45)]
    [InlineData("00:01:00", 70, 85)]
    [InlineData("00:00:00", 10, 30)]
    public async Task Shutdown_timeouts_leave_room_for_the_turn_grace_period(string? grace, int deactivationSeconds, int shutdownSeconds)
    {
        await using var app = BuildSilo(grace is null
            ? new Dictionary<string, string?>()
            : new Dictionary<string, string?> { ["Copilot:Sessions:TurnShutdownGrace"] = grace });

        Assert.Equal(
            TimeSpan.FromSeconds(deactivationSeconds),
            app.Services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value.DeactivationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(shutdownSeconds), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Theory]
    [InlineData("10.1.2.3", "10.1.2.3")]
    [InlineData("localhost", "127.0.0.1")]
    public async Task The_advertised_address_may_be_an_ip_address_or_a_host_name(string setting, string expected)
    {
        await using var app = BuildSilo(new Dictionary<string, string?> { ["Copilot:Cluster:AdvertisedIP"] = setting });

        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Parse(expected), endpoints.AdvertisedIPAddress);
        Assert.Equal(IPAddress.Any, endpoints.SiloListeningEndpoint!.Address);
    }

    [Fact]
    public async Task Auto_advertises_an_address_of_this_machine_that_is_not_loopback()
    {
        await using var app = BuildSilo(new Dictionary<string, string?> { ["Copilot:Cluster:AdvertisedIP"] = "auto" });

        var advertised = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.AdvertisedIPAddress;
        Assert.False(IPAddress.IsLoopback(advertised));
        Assert.Contains(advertised, NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address));
    }

    [Fact]
    public async Task Without_an_advertised_address_the_silo_advertises_and_listens_on_loopback()
    {
        await using var app = BuildSilo(new Dictionary<string, string?>());

        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Equal(IPAddress.Loopback, endpoints.SiloListeningEndpoint!.Address);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_is_refused_at_start()
    {
        await using var app = BuildSilo(new Dictionary<string, string?> { ["Copilot:Cluster:AdvertisedIP"] = "no-such-silo.invalid" });

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Copilot:Cluster:AdvertisedIP must be an IP address, a host name this machine resolves, or 'auto'.", error.Failures);
    }

    private static WebApplication BuildSilo(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCopilotDatabase();
        builder.AddCopilotSilo();
        return builder.Build();
    }
}
