using Copilot.Silo.Database;
using Copilot.Silo.Hosting;
using Copilot.Tests.Fixtures.Postgres;
using Copilot.Tests.Fixtures.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Copilot.Tests.Database;

/// <summary>A silo whose PostgreSQL is not there yet waits for it, within a bound; and its connections get the service's
/// defaults (short timeouts, a bounded pool, no GSS encryption) for each setting the connection string leaves out.</summary>
public sealed class StartupWaitTests
{
    [Fact]
    public async Task Initializing_waits_for_a_postgresql_that_starts_later_then_applies_the_schema()
    {
        var port = LoopbackPorts.FindFree();
        var logger = new LogRecorder<CopilotDatabase>(LogLevel.Warning);
        // The server's own database, there from its first moment: LocalPostgres creates `copilot` once it listens.
        await using var database = Create($"Host=127.0.0.1;Port={port};Username={LocalPostgres.DatabaseName};Database=postgres", TimeSpan.FromMinutes(1), logger);

        var initializing = database.InitializeAsync();
        await logger.First.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(initializing.IsCompleted);

        var directory = Path.Combine(Path.GetTempPath(), TestDatabase.DirectoryPrefix + Guid.NewGuid().ToString("N")[..8]);
        await using (await LocalPostgres.StartAsync(directory, port))
        {
            await initializing.WaitAsync(TimeSpan.FromMinutes(1));

            await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM copilot_schema_migrations");
            Assert.Equal(
                (long)Directory.GetFiles(SchemaMigrator.DefaultScriptDirectory, "*.sql").Length,
                (long)(await command.ExecuteScalarAsync())!);
            await database.DisposeAsync();
        }

        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Initializing_gives_up_after_the_wait_and_names_the_setting()
    {
        var logger = new LogRecorder<CopilotDatabase>(LogLevel.Warning);
        await using var database = Create($"Host=127.0.0.1;Port={LoopbackPorts.FindFree()};Username=nobody", TimeSpan.FromSeconds(2), logger);

        var error = await Assert.ThrowsAsync<NpgsqlException>(() => database.InitializeAsync());

        Assert.StartsWith("PostgreSQL did not answer within 2 s (Copilot__Database__StartupWait): ", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(logger.Messages);
        Assert.All(logger.Messages, w => Assert.Contains("Copilot__Database__StartupWait", w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_answers_with_an_error_is_not_waited_for()
    {
        var missing = new NpgsqlConnectionStringBuilder(await TestDatabase.GetConnectionStringAsync()) { Database = "copilot_missing" };
        var logger = new LogRecorder<CopilotDatabase>(LogLevel.Warning);
        await using var database = Create(missing.ConnectionString, TimeSpan.FromMinutes(1), logger);

        var error = await Assert.ThrowsAsync<PostgresException>(() => database.InitializeAsync());

        Assert.Equal(PostgresErrorCodes.InvalidCatalogName, error.SqlState);
        Assert.Empty(logger.Messages);
    }

    [Theory]
    [InlineData("Host=db;Username=copilot", GssEncryptionMode.Disable)]
    [InlineData("Host=db;Username=copilot;Gss Encryption Mode=Require", GssEncryptionMode.Require)]
    public async Task Gss_encryption_is_off_unless_the_connection_string_asks_for_it(string connectionString, GssEncryptionMode expected)
    {
        await using var database = Create(connectionString, TimeSpan.Zero, new LogRecorder<CopilotDatabase>(LogLevel.Warning));

        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(database.ConnectionString).GssEncryptionMode);
    }

    /// <summary>Each default applies unless the connection string sets that very setting, under any of its names: raising
    /// the command timeout must not lose the fast connect timeout, nor a minimum pool size the pool's bound.</summary>
    [Theory]
    [InlineData("Host=db;Username=copilot", 5, 15, 50, true)]
    [InlineData("Host=db;Username=copilot;Command Timeout=60", 5, 60, 50, true)]
    [InlineData("Host=db;Username=copilot;Timeout=30", 30, 15, 50, true)]
    [InlineData("Host=db;Username=copilot;Cancellation Timeout=3000", 5, 15, 50, true)]
    [InlineData("Host=db;Username=copilot;Minimum Pool Size=5", 5, 15, 50, true)]
    [InlineData("Host=db;Username=copilot;MaxPoolSize=80", 5, 15, 80, true)]
    [InlineData("Host=db;Username=copilot;No Reset On Close=false", 5, 15, 50, false)]
    public async Task Connection_defaults_apply_to_each_setting_the_connection_string_leaves_out(
        string connectionString, int timeout, int commandTimeout, int maxPoolSize, bool noResetOnClose)
    {
        await using var database = Create(connectionString, TimeSpan.Zero, new LogRecorder<CopilotDatabase>(LogLevel.Warning));

        var built = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        Assert.Equal(
            (timeout, commandTimeout, maxPoolSize, noResetOnClose),
            (built.Timeout, built.CommandTimeout, built.MaxPoolSize, built.NoResetOnClose));
    }

    private static CopilotDatabase Create(string connectionString, TimeSpan startupWait, ILogger<CopilotDatabase> logger) => new(
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Copilot"] = connectionString })
            .Build(),
        Options.Create(new DatabaseOptions { StartupWait = startupWait }),
        logger);
}
