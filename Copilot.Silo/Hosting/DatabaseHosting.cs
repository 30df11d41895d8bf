using Copilot.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Copilot.Silo.Hosting;

/// <summary>Registers <see cref="CopilotDatabase"/> and its start-up work.</summary>
public static class DatabaseHosting
{
    /// <summary>Adds the database; call before <c>UseOrleans</c> so that it is ready before the silo starts.</summary>
    public static IHostApplicationBuilder AddCopilotDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        builder.Services.AddSingleton<CopilotDatabase>();
        builder.Services.AddHostedService<DatabaseInitializer>();
        return builder;
    }
}
