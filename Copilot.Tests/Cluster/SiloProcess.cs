using System.Diagnostics;
using System.Net;
using System.Text;
using Copilot.Silo.Hosting;
using Copilot.Tests.Fixtures;
using Orleans.Runtime;

namespace Copilot.Tests.Cluster;

/// <summary>The real <c>Copilot.Silo</c> executable, joined to a test cluster through the membership table, so that a
/// test can end it as an operator or a crash would: SIGTERM, or SIGKILL with no shutdown code run at all.</summary>
/// <remarks>An in-process silo cannot die like a killed process: <c>TestCluster.KillSiloAsync</c> still writes the
/// silo's own row as Dead on the way out, so the survivors would read the death instead of detecting it.</remarks>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, SiloAddress siloAddress, int httpPort)
    {
        _process = process;
        SiloAddress = siloAddress;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
    }

    /// <summary>Where this silo's HTTP API listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The silo's address in the cluster.</summary>
    public SiloAddress SiloAddress { get; private set; }

    /// <summary>What the process wrote so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a silo in the cluster named by <paramref name="clusterId"/> and <paramref name="serviceId"/>
    /// with the test clusters' settings and <paramref name="settings"/> over them, and waits until it is active.</summary>
    public static async Task<SiloProcess> StartAsync(
        string clusterId, string serviceId, IReadOnlyDictionary<string, string?> settings, TimeSpan timeout)
    {
        var (siloPort, gatewayPort, httpPort) = (LoopbackPorts.FindFree(), LoopbackPorts.FindFree(), LoopbackPorts.FindFree());
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Repository.SiloAssembly)!,
        };
        start.ArgumentList.Add(Repository.SiloAssembly);
        foreach (var (key, value) in TestClusters.DefaultSettings.Concat(settings))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["ConnectionStrings__Copilot"] = await TestDatabase.GetConnectionStringAsync();
        start.Environment["Copilot__Cluster__ClusterId"] = clusterId;
        start.Environment["Copilot__Cluster__ServiceId"] = serviceId;
        start.Environment["Copilot__Cluster__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Copilot__Cluster__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var process = new Process { StartInfo = start };
        var silo = new SiloProcess(process, SiloAddress.Zero, httpPort);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (!await IsHealthyAsync(httpPort))
        {
            if (process.HasExited || clock.Elapsed > timeout)
            {
                await silo.DisposeAsync();
                throw new InvalidOperationException($"Copilot.Silo did not become healthy:{Environment.NewLine}{silo.Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        silo.SiloAddress = await FindActiveRowAsync(clusterId, siloPort)
            ?? throw new InvalidOperationException($"Copilot.Silo is healthy but not active in cluster {clusterId}.");
        return silo;
    }

    /// <summary>SIGKILL: the process ends at once, without running any of its shutdown code.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as a service manager stops the service, then waits for the process to exit; returns its
    /// exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            // A failure here means the process has just exited, which the wait below sees.
            _ = SendSignal(_process.Id, SigTerm);
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Stops the process if it still runs: SIGTERM, and SIGKILL when it has not exited within a minute.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static async Task<bool> IsHealthyAsync(int httpPort)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/healthz"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

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

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);
}
