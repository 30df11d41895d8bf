using Copilot.Silo.Hosting;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Copilot.Tests.Fixtures.Clusters;

/// <summary>Builds in-process Orleans test clusters wired exactly like the silo: ADO.NET storage and reminders on
/// the test PostgreSQL (membership is the test cluster's own).</summary>
public static class TestClusters
{
    /// <summary>Settings every test cluster gets; small pages so that sealing happens in short tests.</summary>
    public static IReadOnlyDictionary<string, string?> DefaultSettings { get; } = new Dictionary<string, string?>
    {
        ["Copilot:Sessions:PageMaxMessages"] = "50",
        ["Copilot:Sessions:PageMaxBytes"] = "16384",
        ["Copilot:RateLimits:WritesPerMinute"] = "100000",
        ["Copilot:ChatModel:Provider"] = "Offline",
        ["Copilot:ChatModel:OfflineChunkDelay"] = "00:00:00",
        ["Copilot:Database:ApplySchemaOnStart"] = "false",

        // Silo processes on the test database validate auth as in production; in-process clusters have no HTTP.
        ["Copilot:Auth:Mode"] = "Jwt",
        ["Copilot:Auth:JwtSecret"] = TestTokens.Secret,
        ["Copilot:Auth:Issuer"] = TestTokens.Issuer,
    };

    /// <summary>Starts a one-silo cluster of its own whose next write of <paramref name="stateName"/> waits for the
    /// returned hold (<see cref="HeldGrainStorage"/>).</summary>
    public static async Task<(InProcessTestCluster Cluster, StorageHold Hold)> StartHoldingAsync(
        string stateName, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var hold = new StorageHold();
        hold.Arm(stateName);
        var cluster = await StartAsync(
            "held-" + Guid.NewGuid().ToString("N")[..8], settings: settings, configureSilo: silo => HeldGrainStorage.Install(silo.Services, hold));
        return (cluster, hold);
    }

    /// <summary>Starts a cluster of <paramref name="silos"/> silos with the given service id, on the shared test
    /// database unless <paramref name="connectionString"/> names another; <paramref name="configureSilo"/> runs after
    /// the silo's own wiring.</summary>
    public static async Task<InProcessTestCluster> StartAsync(
        string serviceId,
        short silos = 1,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        string? connectionString = null,
        Action<ISiloBuilder>? configureSilo = null)
    {
        connectionString ??= await TestDatabase.GetConnectionStringAsync();
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(DefaultSettings);
            host.Configuration.AddInMemoryCollection(
                new Dictionary<string, string?> { ["ConnectionStrings:Copilot"] = connectionString });
            if (settings is not null)
            {
                host.Configuration.AddInMemoryCollection(settings);
            }

            host.AddCopilotDatabase();
            configureServices?.Invoke(host.Services);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddCopilotGrains();
            configureSilo?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
