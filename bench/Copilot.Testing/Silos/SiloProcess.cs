using System.Diagnostics;
using Copilot.Testing.Polling;

namespace Copilot.Testing.Silos;

/// <summary>A built silo executable (<c>Copilot.Silo.dll</c> or a host built on it) run as a child process, so that
/// it can be ended as an operator or a crash would (SIGTERM, or SIGKILL with no shutdown code run at all) and its
/// working set is its own.</summary>
/// <remarks>Its output goes to a log file when one is given (appended, so a restarted silo keeps one log), else it is
/// kept in memory; either way <see cref="Output"/> reads it for failure messages.</remarks>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly HttpClient Health = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly Process _process;
    private readonly string _name;
    private readonly string? _logPath;
    private readonly TextWriter _output;
    private readonly TimeSpan _stopGrace;
    private readonly Lock _gate = new();
    private bool _disposed;
    private bool _closed;

    private SiloProcess(Process process, string name, string? logPath, TimeSpan stopGrace)
    {
        _process = process;
        _name = name;
        _logPath = logPath;
        _output = logPath is null ? new StringWriter() : new StreamWriter(logPath, append: true) { AutoFlush = true };
        _stopGrace = stopGrace;
    }

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                if (_logPath is null)
                {
                    return _output.ToString()!;
                }

                using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd();
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c> with
    /// <paramref name="environment"/> (configuration keys with <c>:</c> or <c>__</c>) over the inherited one.</summary>
    /// <param name="assembly">The silo's (or its host's) <c>.dll</c>.</param>
    /// <param name="environment">Its configuration.</param>
    /// <param name="logPath">A file its output is appended to; null keeps the output in memory.</param>
    /// <param name="arguments">Its command line, e.g. <c>postgres</c>.</param>
    /// <param name="stopGrace">How long <see cref="DisposeAsync"/> waits after SIGTERM before it kills. Default a minute.</param>
    /// <param name="workingDirectory">Its working directory, which is its content root (where it finds
    /// <c>appsettings.json</c>). Default the assembly's folder.</param>
    public static SiloProcess Start(
        string assembly,
        IEnumerable<KeyValuePair<string, string?>> environment,
        string? logPath = null,
        IReadOnlyList<string>? arguments = null,
        TimeSpan? stopGrace = null,
        string? workingDirectory = null)
    {
        var start = CreateStartInfo(assembly, arguments ?? [], environment);
        start.WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(Path.GetFullPath(assembly))!;
        var process = new Process { StartInfo = start };
        var silo = new SiloProcess(process, Path.GetFileNameWithoutExtension(assembly), logPath, stopGrace ?? TimeSpan.FromMinutes(1));
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Runs <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c> to completion, as an
    /// operator would from a shell; throws <see cref="OperationCanceledException"/> if it has not exited within
    /// <paramref name="timeout"/>.</summary>
    public static async Task<SiloRun> RunAsync(
        string assembly, IEnumerable<string> arguments, IEnumerable<KeyValuePair<string, string?>> environment, TimeSpan timeout)
    {
        using var process = Process.Start(CreateStartInfo(assembly, arguments, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return new SiloRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Waits until <c>GET /healthz</c> at <paramref name="baseAddress"/> answers with success; throws
    /// <see cref="InvalidOperationException"/>, with the output or the log's path, if the process exits or
    /// <paramref name="timeout"/> passes first.</summary>
    public async Task WaitUntilHealthyAsync(Uri baseAddress, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var healthz = new Uri(baseAddress, "/healthz");
        var healthy = await Poll.UntilAsync(
            async () => _process.HasExited || await IsHealthyAsync(healthz, cancellationToken),
            timeout,
            TimeSpan.FromMilliseconds(200),
            cancellationToken);
        if (!healthy || _process.HasExited)
        {
            var how = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"did not become healthy within {timeout.TotalSeconds:0} s";
            throw new InvalidOperationException(_logPath is null
                ? $"{_name} {how} while starting:\n{Output}"
                : $"{_name} {how} while starting; see {_logPath}");
        }
    }

    /// <summary>The child's working set (resident memory), in bytes.</summary>
    public long WorkingSetBytes()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    /// <summary>SIGKILL: the process ends at once, without running any of its shutdown code; waits until it has.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager stops the service, then waits for the process to exit; returns its exit
    /// code, or throws <see cref="TimeoutException"/> if it still runs after <paramref name="timeout"/>.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            // A failure here means the process has just exited, which the wait below sees.
            _ = Signals.Send(_process.Id, Signals.Terminate);
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Stops the process if it still runs: SIGTERM, and SIGKILL when it has not exited within the grace
    /// given at start.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync(_stopGrace);
        }
        catch (TimeoutException)
        {
            await KillAsync();
        }

        // Exited: the output events have all been raised once WaitForExitAsync returned.
        lock (_gate)
        {
            if (_logPath is not null)
            {
                _closed = true;
                _output.Dispose();
            }
        }

        _process.Dispose();
    }

    private static ProcessStartInfo CreateStartInfo(
        string assembly, IEnumerable<string> arguments, IEnumerable<KeyValuePair<string, string?>> environment)
    {
        // The dotnet host running this process, when it is one, so that a run under a given SDK starts its silo under it.
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }

    private static async Task<bool> IsHealthyAsync(Uri healthz, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Health.GetAsync(healthz, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // Not listening yet.
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // Slow to answer while starting.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (!_closed)
            {
                _output.WriteLine(line);
            }
        }
    }
}
