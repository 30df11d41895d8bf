using Microsoft.Extensions.Configuration.Memory;

namespace Copilot.Silo.Hosting;

/// <summary>The log levels the service runs with when configuration names none: our own events at <c>Information</c>;
/// ASP.NET Core, Orleans, Polly (the retries Orleans runs placement and calls under) and Npgsql at <c>Warning</c>, so a
/// console shows what happens to the service rather than each attempt of its libraries.</summary>
/// <remarks>They are the lowest-priority configuration source: <c>appsettings.json</c>, the environment
/// (<c>Logging__LogLevel__Polly=Information</c>) and the command line override any of them.</remarks>
internal static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Levels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "None",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:LogLevel:Npgsql"] = "Warning",
    };

    /// <summary>Puts the defaults under every other configuration source.</summary>
    public static void AddCopilotLoggingDefaults(this IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
}
