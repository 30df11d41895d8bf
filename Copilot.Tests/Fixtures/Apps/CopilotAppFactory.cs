using Copilot.Silo.Hosting;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Fixtures.Apps;

/// <summary>The whole Copilot.Silo application in-process (HTTP API and a real silo) on the test PostgreSQL.</summary>
/// <remarks>Each instance gets its own cluster id and ports; pass the same <paramref name="serviceId"/> to a second
/// instance to read what the first one stored, as a restarted deployment would.</remarks>
public sealed class CopilotAppFactory(
    string connectionString,
    string? serviceId = null,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    /// <summary>Starts an app on the shared test database, or on <paramref name="connectionString"/>.</summary>
    public static async Task<CopilotAppFactory> StartAsync(
        string? serviceId = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        string? connectionString = null)
    {
        var factory = new CopilotAppFactory(
            connectionString ?? await TestDatabase.GetConnectionStringAsync(), serviceId, settings, configureServices);
        factory.StartServer();
        return factory;
    }

    /// <summary>Starts two whole apps on the shared test database (or on <paramref name="connectionString"/>) as one
    /// cluster (one service and cluster id named after <paramref name="name"/>), each with <paramref name="settings"/>
    /// and its own services (<paramref name="configureServices"/> gets 0 for the first, 1 for the second), and waits
    /// until each sees the other.</summary>
    public static async Task<(CopilotAppFactory First, CopilotAppFactory Second)> StartPairAsync(
        string name,
        IReadOnlyDictionary<string, string?>? settings = null,
        Func<int, Action<IServiceCollection>?>? configureServices = null,
        string? connectionString = null)
    {
        var serviceId = name + "-" + Guid.NewGuid().ToString("N")[..8];
        var cluster = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Copilot:Cluster:ClusterId"] = serviceId,
        };
        var first = await StartAsync(serviceId, cluster, configureServices?.Invoke(0), connectionString);
        var second = await StartAsync(serviceId, cluster, configureServices?.Invoke(1), connectionString);
        foreach (var silo in new[] { first, second })
        {
            var management = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            await Eventually.HoldsAsync(
                async () => (await management.GetHosts(onlyActive: true)).Count == 2, "both silos see each other", TimeSpan.FromSeconds(60));
        }

        return (first, second);
    }

    /// <summary>The service id the app stores its rows under.</summary>
    public string ServiceId { get; } = serviceId ?? "app-" + Guid.NewGuid().ToString("N")[..8];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Copilot"] = connectionString,
            ["Copilot:Cluster:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..8],
            ["Copilot:Cluster:ServiceId"] = ServiceId,
            ["Copilot:Cluster:SiloPort"] = LoopbackPorts.FindFree().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Copilot:Cluster:GatewayPort"] = LoopbackPorts.FindFree().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Copilot:Auth:Mode"] = "Jwt",
            ["Copilot:Auth:JwtSecret"] = TestTokens.Secret,
            ["Copilot:Auth:Issuer"] = TestTokens.Issuer,
            ["Copilot:ChatModel:Provider"] = "Offline",
            ["Copilot:ChatModel:OfflineChunkDelay"] = "00:00:00",

            // Tests send far faster than a person; the limits' own tests set theirs.
            ["Copilot:RateLimits:SendsPerMinute"] = "100000",
            ["Copilot:RateLimits:ConcurrentStreams"] = "1000",
            ["Copilot:RateLimits:WritesPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in defaults.Concat(settings ?? new Dictionary<string, string?>()))
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
    }
}
