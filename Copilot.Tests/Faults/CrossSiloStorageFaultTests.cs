using System.Net;
using Copilot.Api.Errors;
using Copilot.Grains.Sessions;
using Copilot.Silo.Database;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime.Placement;

namespace Copilot.Tests.Faults;

/// <summary>Storage failures of a session that lives on another silo than the one that took the request: the answer
/// must cross the grain boundary as something Orleans can carry, and the API must say 503.</summary>
public sealed class CrossSiloStorageFaultTests
{
    [Fact]
    public Task A_session_on_another_silo_that_cannot_reach_storage_answers_503_and_recovers() =>
        WithTwoSilosAsync(async (server, entry, home) =>
        {
            var userId = Guid.NewGuid();
            var viaEntry = new CopilotClient(entry.CreateClient(), userId);
            var viaHome = new CopilotClient(home.CreateClient(), userId);

            // Sessions live where their first request landed: this one on the home silo. A turn through the entry
            // silo then reaches it across the cluster.
            var sessionId = (await viaHome.SendAsync("before the outage")).SessionId;
            Assert.Equal(sessionId, (await viaEntry.SendAsync("through the other silo", sessionId)).SessionId);

            // PostgreSQL refuses the database as it does while it restarts: open connections end with 57P01
            // (administrator command), new ones fail with a PostgresException. Neither type has an Orleans codec.
            await RefuseConnectionsAsync(server, refuse: true);
            foreach (var attempt in new[] { "during the outage", "still during the outage" })
            {
                var send = await viaEntry.SendAsync(attempt, sessionId);
                Assert.True(send.Status == HttpStatusCode.ServiceUnavailable, $"{(int)send.Status}: {send.Body}");
                Assert.Contains("\"code\":\"unavailable\"", send.Body, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", send.Body, StringComparison.Ordinal);
            }

            await RefuseConnectionsAsync(server, refuse: false);
            Assert.Equal(sessionId, (await viaEntry.SendAsync("after the outage", sessionId)).SessionId);
            Assert.Equal(
                ["before the outage", "through the other silo", "after the outage"],
                (await viaHome.LoadMessagesAsync(sessionId))
                    .Where(m => m.GetProperty("role").GetString() == "user")
                    .Select(m => m.GetProperty("content").GetString()));
        });

    [Fact]
    public Task A_session_that_cannot_load_its_state_on_another_silo_is_unavailable_not_an_internal_error() =>
        WithTwoSilosAsync(async (server, entry, home) =>
        {
            // A session activating on another silo while PostgreSQL restarts (after that silo restarted, say): its
            // state cannot be read, so the activation fails before any grain call filter runs, and Orleans sends the
            // failure back as it is, with the driver's exception inside. A chaos run saw that answered 500.
            await RefuseConnectionsAsync(server, refuse: true);
            var homeSilo = home.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var session = entry.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>(Guid.NewGuid());
            RequestContext.Set(IPlacementDirector.PlacementHintKey, homeSilo);
            Exception failure;
            try
            {
                failure = await Assert.ThrowsAnyAsync<Exception>(() => session.GetInfoAsync(Guid.NewGuid()));
            }
            finally
            {
                RequestContext.Clear();
            }

            Assert.True(ApiErrors.IsUnavailable(failure), failure.ToString());
            Assert.Equal(StatusCodes.Status503ServiceUnavailable, ApiErrors.FromException(failure).Status);

            // Once PostgreSQL is back the same call activates the session, on the silo the hint names: the failure
            // above came from there too, across the cluster.
            await RefuseConnectionsAsync(server, refuse: false);
            RequestContext.Set(IPlacementDirector.PlacementHintKey, homeSilo);
            try
            {
                await Eventually.HoldsAsync(
                    async () =>
                    {
                        try
                        {
                            return await session.GetInfoAsync(Guid.NewGuid()) is null;
                        }
                        catch (Exception e) when (ApiErrors.IsUnavailable(e))
                        {
                            return false;
                        }
                    },
                    "the session answers once PostgreSQL is back",
                    TimeSpan.FromSeconds(30));
            }
            finally
            {
                RequestContext.Clear();
            }

            var management = entry.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            Assert.Equal(homeSilo, await management.GetActivationAddress(session));
        });

    /// <summary>Runs <paramref name="test"/> on two silos of one cluster on their own PostgreSQL server: the tests stop
    /// it, and the shared test server must stay up for every other test.</summary>
    private static async Task WithTwoSilosAsync(Func<LocalPostgres, CopilotAppFactory, CopilotAppFactory, Task> test)
    {
        var directory = Path.Combine(Path.GetTempPath(), TestDatabase.DirectoryPrefix + "xsilo-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await LocalPostgres.StartAsync(directory);
        try
        {
            var (entry, home) = await CopilotAppFactory.StartPairAsync("xsilo", connectionString: server.ConnectionString);
            await using (entry)
            await using (home)
            {
                await test(server, entry, home);
            }
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RefuseConnectionsAsync(LocalPostgres server, bool refuse)
    {
        var admin = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using (var allow = new NpgsqlCommand($"ALTER DATABASE {LocalPostgres.DatabaseName} ALLOW_CONNECTIONS {!refuse}", connection))
        {
            await allow.ExecuteNonQueryAsync();
        }

        if (refuse)
        {
            await using var terminate = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name", connection);
            terminate.Parameters.AddWithValue("name", LocalPostgres.DatabaseName);
            await terminate.ExecuteNonQueryAsync();
        }
    }
}
