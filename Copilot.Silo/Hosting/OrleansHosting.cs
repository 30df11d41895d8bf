using System.Net;
using Copilot.Grains.Sessions;
using Copilot.Grains.Storage;
using Copilot.Silo.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Copilot.Silo.Hosting;

/// <summary>Orleans wiring: grain storage and reminders on PostgreSQL, membership, and the grains' own services.</summary>
public static class OrleansHosting
{
    /// <summary>The ADO.NET invariant name of Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Storage and reminders on <see cref="CopilotDatabase"/>, session options, the chat model and the clock.</summary>
    /// <remarks>Used by the silo and by test clusters alike; membership is configured separately.</remarks>
    public static ISiloBuilder AddCopilotGrains(this ISiloBuilder silo)
    {
        silo.Services.Configure<SystemTextJsonGrainStorageSerializerOptions>(
            o => CopilotStorage.Configure(o.JsonSerializerOptions));
        silo.AddAdoNetGrainStorage(CopilotStorage.ProviderName, (OptionsBuilder<AdoNetGrainStorageOptions> options) =>
            options.Configure<CopilotDatabase, IOptions<SystemTextJsonGrainStorageSerializerOptions>>((o, database, json) =>
            {
                o.Invariant = Invariant;
                o.DataSource = database.DataSource;
                o.DeleteStateOnClear = true;
                o.GrainStorageSerializer = new SystemTextJsonGrainStorageSerializer(json);
            }));
        silo.UseAdoNetReminderService((OptionsBuilder<AdoNetReminderTableOptions> options) =>
            options.Configure<CopilotDatabase>((o, database) =>
            {
                o.Invariant = Invariant;
                o.DataSource = database.DataSource;
            }));
        silo.Services.AddOptions<Orleans.Hosting.ReminderOptions>()
            .Configure<IOptions<SessionsOptions>>((o, sessions) => o.MinimumReminderPeriod = sessions.Value.ReminderMinimumPeriod);

        silo.Services.AddOptions<SessionsOptions>()
            .BindConfiguration(SessionsOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.IdleTimeout > TimeSpan.Zero, "Copilot:Sessions:IdleTimeout must be positive.")
            .Validate(o => o.ReminderMinimumPeriod > TimeSpan.Zero, "Copilot:Sessions:ReminderMinimumPeriod must be positive.")
            .Validate(o => o.IdleTimeout >= o.ReminderMinimumPeriod, "Copilot:Sessions:IdleTimeout must be at least Copilot:Sessions:ReminderMinimumPeriod.")
            .Validate(o => o.TurnShutdownGrace >= TimeSpan.Zero, "Copilot:Sessions:TurnShutdownGrace must not be negative.")
            .ValidateOnStart();
        silo.Services.AddCopilotChatModel();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddKeyedSingleton(SessionsOptions.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        return silo;
    }

    /// <summary>Membership in the PostgreSQL tables, with the ids, ports and address from <c>Copilot:Cluster</c>.</summary>
    /// <remarks>Read through options, when the silo starts, so that every configuration source is in place.</remarks>
    public static ISiloBuilder UseCopilotClustering(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<ClusterOptions>().Configure<IOptions<ClusterSettings>>((o, settings) =>
        {
            o.ClusterId = settings.Value.ClusterId;
            o.ServiceId = settings.Value.ServiceId;
        });
        silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<ClusterSettings>>((o, settings) =>
        {
            var advertised = settings.Value.AdvertisedIP;
            o.AdvertisedIPAddress = string.IsNullOrWhiteSpace(advertised) ? IPAddress.Loopback : IPAddress.Parse(advertised);
            o.SiloPort = settings.Value.SiloPort;
            o.GatewayPort = settings.Value.GatewayPort;

            // An advertised address means other hosts connect: listen on every interface. Otherwise loopback only.
            var listenOn = string.IsNullOrWhiteSpace(advertised) ? IPAddress.Loopback : IPAddress.Any;
            o.SiloListeningEndpoint = new IPEndPoint(listenOn, settings.Value.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(listenOn, settings.Value.GatewayPort);
        });
        silo.UseAdoNetClustering((OptionsBuilder<AdoNetClusteringSiloOptions> options) =>
            options.Configure<CopilotDatabase>((o, database) =>
            {
                o.Invariant = Invariant;
                o.DataSource = database.DataSource;
            }));
        return silo;
    }
}
