using Copilot.Silo;
using Copilot.Silo.Hosting;

var command = SiloCommand.Parse(args);
var builder = WebApplication.CreateBuilder(command.HostArguments);
builder.AddCopilotDatabase();
builder.AddCopilotSilo();

var app = builder.Build();
app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));

return await command.RunAsync(app);

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
