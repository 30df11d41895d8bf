using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Copilot.Tests.Fixtures;

/// <summary>A real <c>Copilot.Silo</c> process on the test database, for tests of what happens when one is killed.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, int httpPort)
    {
        _process = process;
        HttpPort = httpPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The HTTP port.</summary>
    public int HttpPort { get; }

    /// <summary>A client of this silo's HTTP API.</summary>
    public HttpClient Http { get; }

    /// <summary>What the process printed, for failure messages.</summary>
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

    /// <summary>Starts a silo of the cluster <paramref name="clusterId"/> and waits until it answers <c>/healthz</c>.</summary>
    public static async Task<SiloProcess> StartAsync(string clusterId, IReadOnlyDictionary<string, string>? settings = null)
    {
        var httpPort = FreePort.Next();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repository.SiloAssembly);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Copilot"] = await TestDatabase.GetConnectionStringAsync(),
            ["Copilot__Database__ApplySchemaOnStart"] = "false",
            ["Copilot__Cluster__ClusterId"] = clusterId,
            ["Copilot__Cluster__ServiceId"] = clusterId,
            ["Copilot__Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Copilot__Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Copilot__Auth__Mode"] = "Jwt",
            ["Copilot__Auth__JwtSecret"] = TestTokens.Secret,
            ["Copilot__Auth__Issuer"] = TestTokens.Issuer,
            ["Copilot__ChatModel__OfflineChunkDelay"] = "00:00:00",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
        };
        foreach (var (name, value) in environment.Concat(settings ?? new Dictionary<string, string>()))
        {
            start.Environment[name] = value;
        }

        var silo = new SiloProcess(Process.Start(start)!, httpPort);
        silo._process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        await Eventually.HoldsAsync(silo.IsHealthyAsync, $"silo on port {httpPort} is up", TimeSpan.FromSeconds(60));
        return silo;
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, then waits for a clean exit.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]).WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Http.Dispose();
    }

    private async Task<bool> IsHealthyAsync()
    {
        Assert.False(_process.HasExited, $"the silo exited:\n{Output}");
        try
        {
            using var response = await Http.GetAsync("/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
