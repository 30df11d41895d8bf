using Copilot.Api;
using Copilot.Silo;
using Copilot.Silo.Hosting;

var command = SiloCommand.Parse(args);
return await command.RunAsync(() =>
{
    var builder = WebApplication.CreateBuilder(command.HostArguments);
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

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
