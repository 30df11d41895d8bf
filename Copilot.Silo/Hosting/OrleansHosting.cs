using System.Net;
using Copilot.Api;
using Copilot.Grains;
using Copilot.Grains.Faults;
using Copilot.Grains.Feedback;
using Copilot.Grains.Files;
using Copilot.Grains.Sessions;
using Copilot.Grains.Shares;
using Copilot.Grains.Telemetry;
using Copilot.Grains.Usage;
using Copilot.Grains.Users;
using Copilot.Silo.Database;
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

    /// <summary>Time a deactivating session gets after <see cref="SessionsOptions.TurnShutdownGrace"/> to store its reply.</summary>
    public static readonly TimeSpan ReplyStoreAllowance = TimeSpan.FromSeconds(10);

    /// <summary>Time a stopping silo gets beyond its grains' deactivation for the rest of its shutdown (leaving the
    /// membership table, closing connections).</summary>
    public static readonly TimeSpan ShutdownAllowance = TimeSpan.FromSeconds(15);

    /// <summary>Storage and reminders on <see cref="CopilotDatabase"/>, the feedback and shares tables, session options,
    /// the chat model and the clock.</summary>
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
            .ValidateSettings(SessionsOptions.SectionName)
            .Validate(o => o.IdleTimeout > TimeSpan.Zero, "Copilot:Sessions:IdleTimeout must be positive.")
            .Validate(o => o.ReminderMinimumPeriod > TimeSpan.Zero, "Copilot:Sessions:ReminderMinimumPeriod must be positive.")
            .Validate(o => o.IdleTimeout >= o.ReminderMinimumPeriod, "Copilot:Sessions:IdleTimeout must be at least Copilot:Sessions:ReminderMinimumPeriod.")
            .Validate(o => o.TurnShutdownGrace >= TimeSpan.Zero, "Copilot:Sessions:TurnShutdownGrace must not be negative.")
            .Validate(o => o.IndexFlushInterval >= TimeSpan.Zero, "Copilot:Sessions:IndexFlushInterval must not be negative.")
            .Validate(o => o.UnstoredReplyRetryPeriod > TimeSpan.Zero, "Copilot:Sessions:UnstoredReplyRetryPeriod must be positive.")
            .ValidateOnStart();

        // A stopping silo deactivates its grains, and a session with a running turn waits up to TurnShutdownGrace in
        // OnDeactivateAsync before storing the reply. Orleans cancels that wait after DeactivationTimeout, and the host
        // abandons the whole stop after its ShutdownTimeout (30 s by default), so both follow the grace period.
        silo.Services.AddOptions<GrainCollectionOptions>()
            .Configure<IOptions<SessionsOptions>>((o, sessions) =>
                o.DeactivationTimeout = sessions.Value.TurnShutdownGrace + ReplyStoreAllowance);
        silo.Services.AddOptions<HostOptions>()
            .PostConfigure<IOptions<GrainCollectionOptions>>((o, collection) =>
            {
                var needed = collection.Value.DeactivationTimeout + ShutdownAllowance;
                if (o.ShutdownTimeout < needed)
                {
                    o.ShutdownTimeout = needed;
                }
            });
        silo.Services.AddOptions<UserLimitsOptions>().BindConfiguration(UserLimitsOptions.SectionName).ValidateSettings(UserLimitsOptions.SectionName)
            .Validate(
                o => o.StreamSlotLease >= UserLimitsOptions.MinStreamSlotLease,
                "Copilot:RateLimits:StreamSlotLease must be at least 1 second: a running turn renews its slot every quarter of it, and a lease that runs out at once would let a user run any number of turns.")
            .ValidateOnStart();
        silo.Services.AddSingleton<UserLimits>();
        silo.Services.TryAddSingleton<IFileStore, SqlFileStore>();
        silo.Services.TryAddSingleton<IFeedbackStore, SqlFeedbackStore>();
        silo.Services.TryAddSingleton<IShareStore, SqlShareStore>();
        silo.Services.TryAddSingleton<IUserSessionStore, SqlUserSessionStore>();
        silo.Services.TryAddSingleton<CopilotMetrics>();
        silo.Services.TryAddSingleton<LocalReplies>();
        silo.AddActivityPropagation();
        silo.AddIncomingGrainCallFilter<StorageFaultFilter>();

        // A grain whose state cannot be read fails to activate before any call filter runs, and Orleans answers the
        // caller with that failure as it is: the driver's exception must be able to cross to another silo too, or the
        // caller gets a serialization error (answered 500) instead of a storage fault (503).
        silo.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add(Invariant));
        silo.Services.AddCopilotChatModel();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddKeyedSingleton(SessionsOptions.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        return silo;
    }

    /// <summary>Membership in the PostgreSQL tables (<see cref="UseCopilotMembership"/>), with the ids, ports and address
    /// from <c>Copilot:Cluster</c>.</summary>
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
            o.AdvertisedIPAddress = AdvertisedAddress.TryResolve(advertised)
                ?? throw new OptionsValidationException(ClusterSettings.SectionName, typeof(ClusterSettings),
                    [$"Copilot:Cluster:AdvertisedIP '{advertised}' did not resolve to an address."]);
            o.SiloPort = settings.Value.SiloPort;
            o.GatewayPort = settings.Value.GatewayPort;

            // An advertised address means other hosts connect: listen on every interface. Otherwise loopback only.
            var listenOn = string.IsNullOrWhiteSpace(advertised) ? IPAddress.Loopback : IPAddress.Any;
            o.SiloListeningEndpoint = new IPEndPoint(listenOn, settings.Value.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(listenOn, settings.Value.GatewayPort);
        });
        return silo.UseCopilotMembership();
    }

    /// <summary>Membership in the PostgreSQL tables on <see cref="CopilotDatabase"/>, timed by
    /// <see cref="MembershipDefaults"/> with <c>Copilot:Cluster:Membership</c> bound over them, and the grain
    /// directory's lease on a dead silo's grains derived from those timings.</summary>
    /// <remarks>Cluster ids and endpoints are the caller's: <see cref="UseCopilotClustering"/> takes them from
    /// configuration, a test cluster sets its own.</remarks>
    public static ISiloBuilder UseCopilotMembership(this ISiloBuilder silo)
    {
        silo.UseAdoNetClustering((OptionsBuilder<AdoNetClusteringSiloOptions> options) =>
            options.Configure<CopilotDatabase>((o, database) =>
            {
                o.Invariant = Invariant;
                o.DataSource = database.DataSource;
            }));

        // Configure actions run in registration order: the code defaults first, then configuration over them.
        silo.Services.AddOptions<ClusterMembershipOptions>()
            .Configure(MembershipDefaults.Apply)
            .BindConfiguration(ClusterSettings.MembershipSectionName);
        silo.Services.AddOptions<GrainDirectoryOptions>()
            .Configure<IOptions<ClusterMembershipOptions>>((o, membership) =>
                o.RangeLeaseDuration = MembershipDefaults.RangeLeaseDuration(membership.Value));
        return silo;
    }
}
