using Copilot.Silo.Database;
using Copilot.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;

namespace Copilot.Tests.Cluster;

/// <summary>Wires each silo of <see cref="AdoNetClusterFixture"/> like the service: grains, storage and reminders on
/// the test database, and membership through Orleans' ADO.NET clustering with the service's timeouts.</summary>
/// <remarks>Created by type by the test cluster; the connection string arrives as <c>ConnectionStrings:Copilot</c> in
/// the host configuration.</remarks>
internal sealed class AdoNetSiloConfigurator : IHostConfigurator, ISiloConfigurator
{
    public void Configure(IHostBuilder hostBuilder) => hostBuilder.ConfigureServices(services =>
    {
        // Not the service's AddCopilotDatabase: its initializer would be registered after the silo here, so it would
        // close the pool before a stopping silo had stored its last replies. TestDatabase has applied the schema, and
        // the container disposes the pool when the silo is disposed.
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        services.AddSingleton<CopilotDatabase>();
    });

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddCopilotGrains().UseCopilotMembership();
}
