using Copilot.Silo.Database;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Copilot.Tests.Cluster;

/// <summary>A classic <see cref="TestCluster"/> of three silos whose membership is Orleans' ADO.NET clustering on the
/// test database (not the test cluster's own), so that silos can be killed, stopped and added for real.</summary>
public sealed class AdoNetClusterFixture : IAsyncLifetime
{
    /// <summary>Silos started with the cluster.</summary>
    public const short InitialSilos = 3;

    /// <summary>This cluster's rows in the membership table.</summary>
    public string ClusterId { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>This cluster's rows in grain storage and reminders.</summary>
    public string ServiceId { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..8];

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>A client of the cluster, connected through its gateways.</summary>
    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var connectionString = await TestDatabase.GetConnectionStringAsync();
        var builder = new TestClusterBuilder(InitialSilos);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ClusterId = ClusterId;
        builder.Options.ServiceId = ServiceId;
        builder.Options.ConfigureFileLogging = false;

        // Real sockets rather than the test cluster's in-memory transport: a Copilot.Silo process joins this cluster.
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.ConfigureHostConfiguration(configuration => configuration
            .AddInMemoryCollection(TestClusters.DefaultSettings)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:" + DatabaseOptions.ConnectionStringName] = connectionString,
            }));
        builder.AddSiloBuilderConfigurator<AdoNetSiloConfigurator>();
        builder.AddClientBuilderConfigurator<AdoNetClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The silo where <paramref name="grain"/> is active, or null when it is active nowhere.</summary>
    public async Task<SiloAddress?> FindHostAsync(IAddressable grain) => (await FindHostsAsync([grain]))[0];

    /// <summary>For each grain, the silo where it is active, or null; asked of every silo's catalog rather than of a
    /// (possibly stale) directory cache.</summary>
    public async Task<SiloAddress?[]> FindHostsAsync(IReadOnlyList<IAddressable> grains)
    {
        var activations = (await Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .ToLookup(a => a.GrainId, a => a.SiloAddress);
        return [.. grains.Select(g => activations[g.GetGrainId()].Distinct().SingleOrDefault())];
    }

    /// <summary>The status the membership table holds for <paramref name="silo"/>, or null when it has no row.</summary>
    public async Task<SiloStatus?> MembershipStatusAsync(SiloAddress silo)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT status FROM orleansmembershiptable
            WHERE deploymentid = @cluster AND address = @address AND port = @port AND generation = @generation
            """);
        command.Parameters.AddWithValue("cluster", ClusterId);
        command.Parameters.AddWithValue("address", silo.Endpoint.Address.ToString());
        command.Parameters.AddWithValue("port", silo.Endpoint.Port);
        command.Parameters.AddWithValue("generation", silo.Generation);
        return await command.ExecuteScalarAsync() is int status ? (SiloStatus)status : null;
    }
}
