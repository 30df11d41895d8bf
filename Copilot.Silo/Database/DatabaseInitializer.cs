using Microsoft.Extensions.Hosting;

namespace Copilot.Silo.Database;

/// <summary>Prepares the database before the silo starts and stops the embedded server after the silo has stopped.</summary>
/// <remarks>Registered before Orleans, so it starts first and stops last.</remarks>
internal sealed class DatabaseInitializer(CopilotDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.InitializeAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await database.DisposeAsync();
}
