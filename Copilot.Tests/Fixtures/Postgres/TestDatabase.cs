using Copilot.Silo.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Copilot.Tests.Fixtures.Postgres;

/// <summary>The one PostgreSQL server of a test run: a throwaway embedded server, or the database named by
/// <c>COPILOT_TEST_CONNECTION_STRING</c>. Every test uses fresh ids, so all tests share it.</summary>
public static class TestDatabase
{
    private static readonly Lazy<Task<State>> Instance = new(StartAsync);

    /// <summary>The connection string of the shared test database, schema applied.</summary>
    public static async Task<string> GetConnectionStringAsync() => (await Instance.Value).ConnectionString;

    /// <summary>A data source for direct SQL checks.</summary>
    public static async Task<NpgsqlDataSource> GetDataSourceAsync() => (await Instance.Value).DataSource;

    /// <summary>Creates a new, empty database on the same server and returns its connection string.</summary>
    public static async Task<string> CreateEmptyDatabaseAsync()
    {
        var state = await Instance.Value;
        var name = "copilot_" + Guid.NewGuid().ToString("N")[..12];
        await using (var command = state.DataSource.CreateCommand($"CREATE DATABASE {name}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(state.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Prefix of every throwaway data directory the tests create in the temp folder.</summary>
    public const string DirectoryPrefix = "copilot-test-pg-";

    private static async Task<State> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("COPILOT_TEST_CONNECTION_STRING");
        LocalPostgres? server = null;
        string? directory = null;
        if (string.IsNullOrWhiteSpace(configured))
        {
            DeleteStaleDirectories();
            directory = Path.Combine(Path.GetTempPath(), DirectoryPrefix + Guid.NewGuid().ToString("N")[..8]);
            server = await LocalPostgres.StartAsync(directory);
            configured = server.ConnectionString;
        }

        var dataSource = NpgsqlDataSource.Create(configured);
        await SchemaMigrator.ApplyAsync(dataSource, SchemaMigrator.DefaultScriptDirectory, NullLogger.Instance);
        var state = new State(configured, dataSource);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            dataSource.Dispose();
            if (server is not null)
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                TryDelete(directory!);
            }
        };
        return state;
    }

    /// <summary>Removes data directories of earlier runs whose test process ended before it could: no server runs on
    /// them and nothing has touched them for ten minutes (so a run starting next to this one is left alone).</summary>
    private static void DeleteStaleDirectories()
    {
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var pidFile = Path.Combine(stale, "postmaster.pid");
            if (!File.Exists(pidFile) && Directory.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddMinutes(-10))
            {
                TryDelete(stale);
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the directory is in the temp folder, and the next run tries again.
        }
    }

    private sealed record class State(string ConnectionString, NpgsqlDataSource DataSource);
}
