using Copilot.Api;
using Copilot.Api.Admin;
using Copilot.Api.Files;
using Copilot.Api.V1.Search;
using Copilot.Silo.Database;

namespace Copilot.Silo.Hosting;

/// <summary>Co-hosts the Orleans silo in the web application.</summary>
public static class SiloHosting
{
    /// <summary>Adds the silo: grains, storage and reminders on PostgreSQL, membership from <c>Copilot:Cluster</c>.</summary>
    public static WebApplicationBuilder AddCopilotSilo(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClusterSettings>()
            .BindConfiguration(ClusterSettings.SectionName)
            .ValidateSettings(ClusterSettings.SectionName)
            .Validate(
                s => AdvertisedAddress.TryResolve(s.AdvertisedIP) is not null,
                "Copilot:Cluster:AdvertisedIP must be an IP address, a host name this machine resolves, or 'auto'.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ISessionSweeper, SqlSessionSweeper>();
        builder.Services.AddSingleton<IMessageSearch, SqlMessageSearch>();
        builder.Services.AddSingleton<IFileUrlKeyStore, SqlFileUrlKeyStore>();
        builder.Services.AddSingleton<SearchIndexRecovery>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SearchIndexRecovery>());
        builder.UseOrleans(silo =>
        {
            silo.AddCopilotGrains();
            silo.UseCopilotClustering();
        });
        return builder;
    }
}
