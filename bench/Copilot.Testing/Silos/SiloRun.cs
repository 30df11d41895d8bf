namespace Copilot.Testing.Silos;

/// <summary>How a run of the silo executable to completion ended.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Stdout">Everything it wrote to standard output.</param>
/// <param name="Stderr">Everything it wrote to standard error.</param>
public sealed record class SiloRun(int ExitCode, string Stdout, string Stderr);
