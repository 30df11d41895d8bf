using Copilot.Silo.Database;
using Copilot.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Copilot.Tests.Cluster;

/// <summary>The test cluster's client finds the gateways in the same membership table as the silos.</summary>
internal sealed class AdoNetClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = OrleansHosting.Invariant;
            o.ConnectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        });
}
