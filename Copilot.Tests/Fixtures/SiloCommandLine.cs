using Copilot.Testing.Silos;

namespace Copilot.Tests.Fixtures;

/// <summary>Runs the built <c>Copilot.Silo</c> executable to completion, as an operator would from a shell.</summary>
public static class SiloCommandLine
{
    /// <summary>Runs it with <paramref name="arguments"/> and extra <paramref name="environment"/>; fails the test if
    /// it has not exited within a minute.</summary>
    public static Task<SiloRun> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment) =>
        SiloProcess.RunAsync(Repository.SiloAssembly, arguments, environment, TimeSpan.FromMinutes(1));
}
