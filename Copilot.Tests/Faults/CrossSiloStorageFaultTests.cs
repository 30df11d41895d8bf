using System.Net;
using Copilot.Silo.Database;
using Copilot.Tests.Fixtures;
using Npgsql;

namespace Copilot.Tests.Faults;

/// <summary>Storage failures of a session that lives on another silo than the one that took the request: the answer
/// must cross the grain boundary as something Orleans can carry, and the API must say 503.</summary>
public sealed class CrossSiloStorageFaultTests
{
    [Fact]
    public async Task A_session_on_another_silo_that_cannot_reach_storage_answers_503_and_recovers()
    {
        // An own server: this test stops it, and the shared test server must stay up for every other test.
        var directory = Path.Combine(Path.GetTempPath(), TestDatabase.DirectoryPrefix + "xsilo-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await LocalPostgres.StartAsync(directory);
        try
        {
            var serviceId = "xsilo-" + Guid.NewGuid().ToString("N")[..8];
            var cluster = new Dictionary<string, string?> { ["Copilot:Cluster:ClusterId"] = serviceId };
            await using var entry = new CopilotAppFactory(server.ConnectionString, serviceId, cluster);
            entry.StartServer();
            await using var home = new CopilotAppFactory(server.ConnectionString, serviceId, cluster);
            home.StartServer();
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
