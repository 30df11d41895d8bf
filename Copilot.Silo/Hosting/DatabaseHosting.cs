using Copilot.Api.Auth;
using Copilot.Silo.Database;

namespace Copilot.Silo.Hosting;

/// <summary>Registers <see cref="CopilotDatabase"/> and its start-up work.</summary>
public static class DatabaseHosting
{
    /// <summary>Adds the database; call before <c>UseOrleans</c> so that it is ready before the silo starts.</summary>
    /// <remarks>No connection string means the embedded server, which is a local trial (<c>./run.sh</c>): there, and only
    /// there, an unset <c>Copilot:Auth:Mode</c> means Development. Anywhere else the auth validation refuses to start.</remarks>
    public static IHostApplicationBuilder AddCopilotDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        builder.Services.AddSingleton<CopilotDatabase>();
        builder.Services.AddHostedService<DatabaseInitializer>();
        builder.Services.AddOptions<AuthOptions>().PostConfigure<IConfiguration>((auth, configuration) =>
        {
            if (auth.Mode is null && string.IsNullOrWhiteSpace(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName)))
            {
                auth.Mode = AuthMode.Development;
            }
        });
        return builder;
    }
}
