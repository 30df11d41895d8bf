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
        PreferInlineSocketCompletions();
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

    /// <summary>The runtime's switch that runs a socket operation's continuation on the thread that polls the sockets
    /// instead of handing it to a thread-pool worker.</summary>
    private const string InlineSocketCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns <see cref="InlineSocketCompletionsVariable"/> on unless the operator set it (to 0 or 1). A streamed
    /// reply is a socket read from the model every ~20 ms per stream; handing each to a worker wakes a thread for a few
    /// microseconds of work, and threads sleeping and waking are the largest share of a streaming silo's CPU
    /// (docs/performance.md, "What the profile showed", with the A/B runs). The runtime reads the variable once, when the
    /// first socket is used, so this runs first.</summary>
    /// <remarks>What then runs on the polling thread is the code after an awaited socket read up to its next await:
    /// the model client's parsing, Npgsql's, Orleans' and Kestrel's hand-offs to their own schedulers. None of it blocks
    /// on other I/O, which is what would stall the other sockets.</remarks>
    private static void PreferInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletionsVariable, "1");
        }
    }
}
