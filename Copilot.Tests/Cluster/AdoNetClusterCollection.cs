namespace Copilot.Tests.Cluster;

/// <summary>The tests that kill, stop and add silos share one <see cref="AdoNetClusterFixture"/> and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class AdoNetClusterCollection : ICollectionFixture<AdoNetClusterFixture>
{
    public const string Name = "adonet-cluster";
}
