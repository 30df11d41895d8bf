namespace Copilot.Silo.Database;

/// <summary>Prepares the database (embedded server, schema) before the silo starts.</summary>
/// <remarks>Registered before Orleans, so it starts first. Stopping is left to the container, which disposes
/// <see cref="CopilotDatabase"/> after every hosted service has stopped: a stopping silo still stores its last
/// replies and its membership row through it.</remarks>
internal sealed class DatabaseInitializer(CopilotDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
