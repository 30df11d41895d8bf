using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Copilot.Silo.Database;

/// <summary>The service's PostgreSQL database: a configured one, or the embedded server started on demand.</summary>
/// <remarks>
/// One <see cref="NpgsqlDataSource"/> (one connection pool) serves Orleans' storage, reminders and membership and the
/// service's own SQL. Without a configured connection string the embedded server starts on first use: Orleans resolves
/// its providers (and so <see cref="DataSource"/>) while the host is being constructed, before any hosted service
/// runs, so that first use is a one-time blocking start. <see cref="InitializeAsync"/>, run by
/// <see cref="DatabaseInitializer"/> before the silo starts, then applies the schema.
/// </remarks>
public sealed partial class CopilotDatabase(
    IConfiguration configuration, IOptions<DatabaseOptions> options, ILogger<CopilotDatabase> logger) : IAsyncDisposable
{
    /// <summary>Connections each silo's pool may open when the connection string does not say (Npgsql's own default is 100).</summary>
    public const int DefaultMaxPoolSize = 50;

    /// <summary>The data source's name, which Npgsql's metrics and traces show instead of its connection string.</summary>
    public const string DataSourceName = "copilot";

    /// <summary>The pause between two attempts to reach a PostgreSQL that does not answer yet.</summary>
    public static readonly TimeSpan StartupRetryDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _startLock = new();
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private string? _connectionString = Normalize(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName));
    private NpgsqlDataSource? _dataSource;
    private LocalPostgres? _localServer;
    private bool _schemaApplied;

    /// <summary>True when no connection string was configured and the embedded server is used.</summary>
    public bool IsEmbedded => _localServer is not null;

    public string ConnectionString
    {
        get
        {
            EnsureServer();
            return _connectionString!;
        }
    }

    public NpgsqlDataSource DataSource
    {
        get
        {
            lock (_startLock)
            {
                return _dataSource ??= new NpgsqlDataSourceBuilder(ConnectionString) { Name = DataSourceName }.Build();
            }
        }
    }

    /// <summary>Arbitrary but fixed: the advisory lock key a search index rebuild holds, so one runs at a time.</summary>
    private const long SearchRebuildLockKey = 0x436f70696c6f7453; // "CopilotS"

    /// <summary>Runs <paramref name="work"/> in a transaction that first takes the lock <paramref name="lockSpace"/> of
    /// <paramref name="userId"/> (<c>pg_advisory_xact_lock(hashtextextended(user, lockSpace))</c>), and commits it: the
    /// work of one user under one lock space runs one at a time, and in READ COMMITTED each of its statements sees what
    /// the ones before it committed.</summary>
    public async Task<T> UnderUserLockAsync<T>(
        Guid userId, int lockSpace, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockUser = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@user::text, @space))", connection, transaction))
        {
            lockUser.Parameters.AddWithValue("user", userId);
            lockUser.Parameters.AddWithValue("space", (long)lockSpace);
            await lockUser.ExecuteNonQueryAsync(cancellationToken);
        }

        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Empties the search index and fills it again from the stored sessions while the service writes and
    /// searches (<c>copilot_search_rebuild_concurrently()</c> of <c>sql/0016_copilot_search_unlogged.sql</c>); returns the
    /// rows indexed. Waits for a rebuild another process is running to end first.</summary>
    public async Task<long> RebuildSearchIndexAsync(CancellationToken cancellationToken = default) =>
        (await RebuildSearchIndexAsync(onlyWhenLost: false, cancellationToken))!.Value;

    /// <summary>Fills the search index again as <see cref="RebuildSearchIndexAsync(CancellationToken)"/> does (keeping
    /// what the triggers have indexed since) if PostgreSQL has lost it (its crash recovery empties the unlogged index) and
    /// no other process is rebuilding it; returns the rows indexed, or null when there was nothing to do here.</summary>
    public Task<long?> RebuildLostSearchIndexAsync(CancellationToken cancellationToken = default) =>
        RebuildSearchIndexAsync(onlyWhenLost: true, cancellationToken);

    private async Task<long?> RebuildSearchIndexAsync(bool onlyWhenLost, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        if (!onlyWhenLost)
        {
            await ScalarAsync<object>(connection, $"SELECT pg_advisory_lock({SearchRebuildLockKey})", cancellationToken);
        }
        else if (!await ScalarAsync<bool>(connection, $"SELECT pg_try_advisory_lock({SearchRebuildLockKey})", cancellationToken))
        {
            return null;
        }

        try
        {
            if (onlyWhenLost && await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT FROM copilot_search_built)", cancellationToken))
            {
                return null;
            }

            // A lost index keeps what the triggers have indexed since; a reindex recomputes every row.
            await ScalarAsync<object>(
                connection, $"CALL copilot_search_rebuild_concurrently(empty_first => {(onlyWhenLost ? "false" : "true")})", cancellationToken);
            return await ScalarAsync<long>(connection, "SELECT count(*) FROM copilot_search", cancellationToken);
        }
        finally
        {
            // A broken connection has lost its session's lock with it.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ScalarAsync<bool>(connection, $"SELECT pg_advisory_unlock({SearchRebuildLockKey})", CancellationToken.None);
            }
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Starts the embedded server when needed and applies pending schema scripts. Safe to call repeatedly.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _initializeLock.WaitAsync(cancellationToken);
        try
        {
            EnsureServer();
            if (!IsEmbedded)
            {
                await WaitForServerAsync(cancellationToken);
            }

            if (options.Value.ApplySchemaOnStart && !_schemaApplied)
            {
                await SchemaMigrator.ApplyAsync(DataSource, SchemaMigrator.DefaultScriptDirectory, logger, cancellationToken);
                _schemaApplied = true;
            }
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    /// <summary>Opens one connection, retrying while PostgreSQL is not there yet, for up to
    /// <see cref="DatabaseOptions.StartupWait"/>: a silo started together with its database (a compose file, a pod
    /// scheduled before the database) waits for it instead of exiting.</summary>
    /// <remarks>Only transient failures are retried (no route, nothing listening, a name not resolving yet, the server
    /// starting up); a wrong password or a missing database fails at once.</remarks>
    private async Task WaitForServerAsync(CancellationToken cancellationToken)
    {
        var wait = options.Value.StartupWait;
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
                if (attempt > 1)
                {
                    LogServerAnswered(logger, Stopwatch.GetElapsedTime(started).TotalSeconds);
                }

                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient)
            {
                var waited = Stopwatch.GetElapsedTime(started);
                if (waited + StartupRetryDelay > wait)
                {
                    throw new NpgsqlException(
                        $"PostgreSQL did not answer within {wait.TotalSeconds:0} s (Copilot__Database__StartupWait): {ex.Message}", ex);
                }

                LogWaitingForServer(logger, attempt, ex.Message, (wait - waited).TotalSeconds);
                await Task.Delay(StartupRetryDelay, cancellationToken);
            }
        }
    }

    private void EnsureServer()
    {
        lock (_startLock)
        {
            if (_connectionString is not null)
            {
                return;
            }

            var directory = options.Value.LocalDataDirectory;
            LogStartingEmbedded(logger, Path.GetFullPath(directory));
            _localServer = LocalPostgres.StartAsync(directory).GetAwaiter().GetResult();
            _connectionString = Normalize(_localServer.ConnectionString);
            LogEmbeddedStarted(logger, _localServer.Port);
        }
    }

    /// <summary>Closes the pool and stops the embedded server, if any.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
            _dataSource = null;
        }

        if (_localServer is not null)
        {
            await _localServer.DisposeAsync();
            _localServer = null;
        }

        _initializeLock.Dispose();
    }

    /// <summary>Adds short timeouts unless the connection string sets its own (each apart: a connection string that
    /// raises only <c>Command Timeout</c> keeps the 5 s connect timeout), so an unreachable database fails fast; keeps
    /// pooled connections' state unless the connection string says otherwise; bounds the pool at
    /// <see cref="DefaultMaxPoolSize"/> unless it sets its own bound; and turns GSS encryption off unless it sets a mode.</summary>
    /// <remarks>
    /// By default Npgsql sends <c>DISCARD ALL</c> ahead of the first command on every connection taken from the pool.
    /// That throws away the plans PostgreSQL cached for the storage functions (<c>orleans_storage_write</c> re-plans
    /// its <c>UPDATE</c> on every call), and every grain-state write paid for it. Nothing in this service leaves
    /// session state on a pooled connection (no <c>SET</c>, temporary tables, <c>LISTEN</c> or prepared statements;
    /// the migrator releases its advisory lock itself), so there is nothing to discard.
    /// Whether a setting was given is read from the keywords Npgsql parsed (its canonical names, whatever synonym was
    /// written), not from the text: <c>Minimum Pool Size</c> says nothing about the maximum, nor
    /// <c>Command Timeout</c> about connecting.
    /// </remarks>
    private static string? Normalize(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains("Timeout"))
        {
            builder.Timeout = 5;
        }

        if (!given.Contains("Command Timeout"))
        {
            builder.CommandTimeout = 15;
        }

        if (!given.Contains("No Reset On Close"))
        {
            builder.NoResetOnClose = true;
        }

        // Npgsql's default of 100 lets three silos exhaust a server's 100 to 200 connections while PostgreSQL stalls
        // (every waiting write holds one); a silo on two cores never needs more than a few dozen.
        if (!given.Contains("Maximum Pool Size"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        // Npgsql asks for GSS encryption first by default, which logs a warning on every start where the Kerberos
        // library is absent (a minimal container image). Nothing here authenticates with Kerberos; a connection
        // string that does can say so.
        if (!given.Contains("GSS Encryption Mode"))
        {
            builder.GssEncryptionMode = GssEncryptionMode.Disable;
        }

        return builder.ConnectionString;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No ConnectionStrings:Copilot configured; starting the embedded PostgreSQL server in {DataDirectory}")]
    private static partial void LogStartingEmbedded(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL does not answer yet (attempt {Attempt}: {Reason}); waiting up to {RemainingSeconds:0} s more (Copilot__Database__StartupWait)")]
    private static partial void LogWaitingForServer(ILogger logger, int attempt, string reason, double remainingSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL answered after {Seconds:0.0} s")]
    private static partial void LogServerAnswered(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded PostgreSQL listening on 127.0.0.1:{Port}")]
    private static partial void LogEmbeddedStarted(ILogger logger, int port);
}
