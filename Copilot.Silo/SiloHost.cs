using Copilot.Api;
using Copilot.Silo.Hosting;

namespace Copilot.Silo;

/// <summary>The silo executable: its command line and the service's host, for <c>Program</c> and for a host that runs
/// the same service with one service of its own (the benchmark's long-reply model).</summary>
public static class SiloHost
{
    /// <summary>Runs the command <paramref name="args"/> name (the service by default); returns the process exit code.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="configure">Called on the builder before the service registers anything; a service registered here
    /// (an <see cref="Microsoft.Extensions.AI.IChatClient"/>) is kept.</param>
    public static Task<int> RunAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var command = SiloCommand.Parse(args);
        return command.RunAsync(() =>
        {
            var builder = WebApplication.CreateBuilder(command.HostArguments);
            configure?.Invoke(builder);
            builder.AddCopilotDatabase();
            builder.AddCopilotApi();
            builder.AddCopilotSilo();
            builder.AddCopilotHealth();
            builder.AddCopilotTelemetry();

            var app = builder.Build();
            app.UseCopilotApi();
            app.MapCopilotHealth();
            app.MapCopilotMetrics();
            return app;
        });
    }
}
