using System.Diagnostics;

namespace Copilot.Tests.Fixtures;

/// <summary>Runs the built <c>Copilot.Silo</c> executable to completion, as an operator would from a shell.</summary>
public static class SiloCommandLine
{
    /// <summary>Runs it with <paramref name="arguments"/> and extra <paramref name="environment"/>; fails the test if
    /// it has not exited within a minute.</summary>
    public static async Task<SiloRun> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repository.SiloAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new SiloRun(process.ExitCode, await stdout, await stderr);
    }
}
