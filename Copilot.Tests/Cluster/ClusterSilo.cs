using System.Net;
using Copilot.Silo.Hosting;
using Copilot.Testing.Silos;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.Cluster;

/// <summary>The real <c>Copilot.Silo</c> executable, joined to a test cluster through the membership table, so that a
/// test can end it as an operator or a crash would: SIGTERM, or SIGKILL with no shutdown code run at all.</summary>
/// <remarks>An in-process silo cannot die like a killed process: <c>TestCluster.KillSiloAsync</c> still writes the
/// silo's own row as Dead on the way out, so the survivors would read the death instead of detecting it.</remarks>
public sealed class ClusterSilo : IAsyncDisposable
{
    private readonly SiloProcess _process;

    private ClusterSilo(SiloProcess process, SiloAddress siloAddress, Uri baseAddress)
    {
        _process = process;
        SiloAddress = siloAddress;
        BaseAddress = baseAddress;
    }

    /// <summary>Where this silo's HTTP API listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The silo's address in the cluster.</summary>
    public SiloAddress SiloAddress { get; }

    /// <summary>What the process wrote so far, for failure messages.</summary>
    public string Output => _process.Output;

    /// <summary>Starts a silo in the cluster named by <paramref name="clusterId"/> and <paramref name="serviceId"/>
    /// with the test clusters' settings and <paramref name="settings"/> over them, and waits until it is active; in
    /// <paramref name="workingDirectory"/> when given (where it keeps <c>.data/</c>, as on a machine of its own), else in
    /// the executable's folder, which every silo of the test run shares.</summary>
    public static async Task<ClusterSilo> StartAsync(
        string clusterId, string serviceId, IReadOnlyDictionary<string, string?> settings, TimeSpan timeout,
        string? workingDirectory = null)
    {
        var (siloPort, gatewayPort, httpPort) = (LoopbackPorts.FindFree(), LoopbackPorts.FindFree(), LoopbackPorts.FindFree());
        var baseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        var environment = TestClusters.DefaultSettings.Concat(settings).Concat(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Copilot"] = await TestDatabase.GetConnectionStringAsync(),
            ["Copilot:Cluster:ClusterId"] = clusterId,
            ["Copilot:Cluster:ServiceId"] = serviceId,
            ["Copilot:Cluster:SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Copilot:Cluster:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/'),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var process = SiloProcess.Start(Repository.SiloAssembly, environment, workingDirectory: workingDirectory);
        try
        {
            await process.WaitUntilHealthyAsync(baseAddress, timeout);
            var siloAddress = await FindActiveRowAsync(clusterId, siloPort)
                ?? throw new InvalidOperationException($"Copilot.Silo is healthy but not active in cluster {clusterId}.");
            return new ClusterSilo(process, siloAddress, baseAddress);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: the process ends at once, without running any of its shutdown code.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM, as a service manager stops the service, then waits for the process to exit; returns its
    /// exit code.</summary>
    public Task<int> StopAsync(TimeSpan timeout) => _process.StopAsync(timeout);

    /// <summary>Stops the process if it still runs: SIGTERM, and SIGKILL when it has not exited within a minute.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<SiloAddress?> FindActiveRowAsync(string clusterId, int siloPort)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT generation FROM orleansmembershiptable
            WHERE deploymentid = @cluster AND address = '127.0.0.1' AND port = @port AND status = 3
            ORDER BY generation DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("cluster", clusterId);
        command.Parameters.AddWithValue("port", siloPort);
        return await command.ExecuteScalarAsync() is int generation
            ? SiloAddress.New(new IPEndPoint(IPAddress.Loopback, siloPort), generation)
            : null;
    }
}
