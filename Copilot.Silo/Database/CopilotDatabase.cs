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

    /// <summary>Starts the embedded server when needed and applies pending schema scripts. Safe to call repeatedly.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _initializeLock.WaitAsync(cancellationToken);
        try
        {
            EnsureServer();
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

    /// <summary>Adds short timeouts unless the connection string sets its own, so an unreachable database fails fast;
    /// keeps pooled connections' state unless the connection string says otherwise; and bounds the pool at
    /// <see cref="DefaultMaxPoolSize"/> unless it sets its own bound.</summary>
    /// <remarks>
    /// By default Npgsql sends <c>DISCARD ALL</c> ahead of the first command on every connection taken from the pool.
    /// That throws away the plans PostgreSQL cached for the storage functions (<c>orleans_storage_write</c> re-plans
    /// its <c>UPDATE</c> on every call), and every grain-state write paid for it. Nothing in this service leaves
    /// session state on a pooled connection (no <c>SET</c>, temporary tables, <c>LISTEN</c> or prepared statements;
    /// the migrator releases its advisory lock itself), so there is nothing to discard.
    /// </remarks>
    private static string? Normalize(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 5;
            builder.CommandTimeout = 15;
        }

        if (!connectionString.Contains("Reset", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        // Npgsql's default of 100 lets three silos exhaust a server's 100 to 200 connections while PostgreSQL stalls
        // (every waiting write holds one); a silo on two cores never needs more than a few dozen.
        if (!connectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase) &&
            !connectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        return builder.ConnectionString;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No ConnectionStrings:Copilot configured; starting the embedded PostgreSQL server in {DataDirectory}")]
    private static partial void LogStartingEmbedded(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded PostgreSQL listening on 127.0.0.1:{Port}")]
    private static partial void LogEmbeddedStarted(ILogger logger, int port);
}
