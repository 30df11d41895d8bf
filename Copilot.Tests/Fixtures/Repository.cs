namespace Copilot.Tests.Fixtures;

/// <summary>Paths inside this repository, for tests that run the real executables.</summary>
public static class Repository
{
    /// <summary>The folder holding <c>Copilot.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The built <c>Copilot.Silo.dll</c> of the same configuration as the tests.</summary>
    public static string SiloAssembly =>
#if DEBUG
        Path.Combine(Root, "Copilot.Silo", "bin", "Debug", "net10.0", "Copilot.Silo.dll");
#else
        Path.Combine(Root, "Copilot.Silo", "bin", "Release", "net10.0", "Copilot.Silo.dll");
#endif

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Copilot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Copilot.sln not found above " + AppContext.BaseDirectory);
    }
}
