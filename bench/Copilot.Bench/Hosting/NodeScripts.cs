using System.Diagnostics;

namespace Copilot.Bench.Hosting;

/// <summary>The streaming phase's Node project (<c>bench/seed-on-node</c>, pinned by its lock file): installs its
/// packages when they are missing and starts its scripts as child processes.</summary>
internal static class NodeScripts
{
    /// <summary>The project's directory, found from the bench's build output up to the repository root.</summary>
    /// <exception cref="InvalidOperationException">Not inside the repository.</exception>
    public static string Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "seed-on-node");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("bench/seed-on-node not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs <c>npm ci</c> when the project's packages are not installed.</summary>
    /// <exception cref="InvalidOperationException">npm failed.</exception>
    public static async Task InstallAsync(CancellationToken cancellationToken)
    {
        var directory = Directory();
        if (System.IO.Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            return;
        }

        await Console.Error.WriteLineAsync("Installing bench/seed-on-node's packages (npm ci) ...");
        using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("npm could not be started.");
        var output = await npm.StandardError.ReadToEndAsync(cancellationToken);
        await npm.WaitForExitAsync(cancellationToken);
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed in {directory}: {output}");
        }
    }

    /// <summary>Starts <c>node <paramref name="script"/> <paramref name="arguments"/></c> and waits for its first line
    /// of output, which it prints once it listens.</summary>
    /// <exception cref="InvalidOperationException">It exited or printed nothing within 30 s.</exception>
    public static async Task<NodeProcess> StartAsync(string script, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"node {script} could not be started.");
        var node = new NodeProcess(process);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => ready.TrySetResult();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (errors)
                {
                    errors.AppendLine(line);
                }

                Console.Error.WriteLine("   node: " + line);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"node {script} exited: {errors}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }
}

/// <summary>A Node process the bench started; killed with its workers on dispose.</summary>
internal sealed class NodeProcess(Process process) : IAsyncDisposable
{
    public int Id => process.Id;

    /// <summary>Waits for the process to exit by itself.</summary>
    /// <exception cref="TimeoutException">It was still running after <paramref name="timeout"/>.</exception>
    public Task WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
