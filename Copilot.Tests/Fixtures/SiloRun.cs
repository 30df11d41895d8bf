namespace Copilot.Tests.Fixtures;

/// <summary>How a run of the <c>Copilot.Silo</c> executable ended.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Stdout">Everything it wrote to standard output.</param>
/// <param name="Stderr">Everything it wrote to standard error.</param>
public sealed record class SiloRun(int ExitCode, string Stdout, string Stderr);
