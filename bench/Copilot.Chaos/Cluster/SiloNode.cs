using System.Globalization;
using Copilot.Silo.Hosting;
using Copilot.Testing.Silos;

namespace Copilot.Chaos.Cluster;

/// <summary>One silo process of the cluster, on ports it keeps across restarts (as a service manager restarts it).</summary>
internal sealed class SiloNode(int index, string siloAssembly, IReadOnlyDictionary<string, string?> environment, string runDirectory)
{
    private readonly int _siloPort = LoopbackPorts.FindFree();
    private readonly int _gatewayPort = LoopbackPorts.FindFree();
    private readonly List<(DateTime From, DateTime? To)> _outages = [];
    private SiloProcess? _process;

    /// <summary>The silo's number in the cluster, from 0.</summary>
    public int Index { get; } = index;

    /// <summary>Where its HTTP API listens.</summary>
    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{LoopbackPorts.FindFree()}");

    /// <summary>Starts the process (again) and waits until <c>/healthz</c> answers.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        var settings = new Dictionary<string, string?>(environment)
        {
            ["Copilot__Cluster__SiloPort"] = _siloPort.ToString(CultureInfo.InvariantCulture),
            ["Copilot__Cluster__GatewayPort"] = _gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/'),
        };
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _process = SiloProcess.Start(
            siloAssembly, settings, Path.Combine(runDirectory, $"silo-{Index}.log"), workingDirectory: Environment.CurrentDirectory);
        await _process.WaitUntilHealthyAsync(BaseAddress, timeout);

        lock (_outages)
        {
            if (_outages.Count > 0 && _outages[^1].To is null)
            {
                _outages[^1] = (_outages[^1].From, DateTime.UtcNow);
            }
        }
    }

    /// <summary>The running process's id and resident memory (<c>VmRSS</c>), or null where <c>/proc</c> has none.</summary>
    public (int Pid, long Bytes)? ResidentMemory()
    {
        try
        {
            var pid = _process!.Id;
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null
                ? null
                : (pid, long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL: the process ends without running any shutdown code.</summary>
    public async Task KillAsync()
    {
        MarkDown();
        await _process!.KillAsync();
    }

    /// <summary>SIGTERM, and waits for the graceful stop to end.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        MarkDown();
        try
        {
            await _process!.StopAsync(timeout);
        }
        catch (TimeoutException)
        {
            await _process!.KillAsync();
            throw new InvalidOperationException($"silo {Index} did not stop within {timeout.TotalSeconds:0} s of SIGTERM");
        }
    }

    /// <summary>True when the silo was stopping, stopped or starting at some moment of [<paramref name="from"/>,
    /// <paramref name="to"/>]: a request it dropped then had no silo to answer it.</summary>
    public bool WasDownDuring(DateTime from, DateTime to)
    {
        lock (_outages)
        {
            return _outages.Any(o => o.From <= to && (o.To ?? DateTime.MaxValue) >= from);
        }
    }

    /// <summary>Stops the process if it runs (SIGTERM, then SIGKILL after a minute).</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    private void MarkDown()
    {
        lock (_outages)
        {
            _outages.Add((DateTime.UtcNow, null));
        }
    }
}
