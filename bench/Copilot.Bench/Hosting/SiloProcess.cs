using System.Diagnostics;
using System.Net;

namespace Copilot.Bench.Hosting;

/// <summary>The built Copilot.Silo executable, run as a child process so that its working set is its own.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Task _pump;

    private SiloProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
        _pump = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    /// <summary>Where its output goes.</summary>
    public required string LogPath { get; init; }

    /// <summary>Starts <c>Copilot.Silo.dll</c> (copied next to the bench by its project reference) with
    /// <paramref name="environment"/> as configuration.</summary>
    public static SiloProcess Start(IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Copilot.Silo.dll");
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var startInfo = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {dll}.");
        return new SiloProcess(process, new StreamWriter(logPath) { AutoFlush = true }) { LogPath = logPath };
    }

    /// <summary>Waits until <c>GET /healthz</c> answers 200.</summary>
    public async Task WaitUntilHealthyAsync(Uri baseAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"Copilot.Silo exited with code {_process.ExitCode} while starting:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow to answer while starting.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"Copilot.Silo did not become healthy within {timeout.TotalSeconds:0} s:\n{Tail()}");
    }

    /// <summary>The child's working set (resident memory), in bytes.</summary>
    public long WorkingSetBytes()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    /// <summary>Stops the silo the way a deployment would (SIGTERM), killing it if it takes too long.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception ex) when (ex is TimeoutException or System.ComponentModel.Win32Exception)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        await _pump;
        await _log.DisposeAsync();
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }

    private string Tail()
    {
        lock (_log)
        {
            _log.Flush();
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(30));
    }
}
