using Orleans.TestingHost;

namespace Copilot.Tests.Fixtures.Clusters;

/// <summary>One two-silo test cluster shared by the grain tests, on the shared test database.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The service id the shared cluster stores its rows under.</summary>
    public string ServiceId { get; } = "tests-" + Guid.NewGuid().ToString("N")[..8];

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync() => Cluster = await TestClusters.StartAsync(ServiceId, silos: 2);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>The grain tests' collection: they share <see cref="ClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
