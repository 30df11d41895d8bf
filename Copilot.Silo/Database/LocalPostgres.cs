using System.ComponentModel;
using System.Diagnostics;
using Copilot.Silo.Hosting;
using Npgsql;

namespace Copilot.Silo.Database;

/// <summary>A private PostgreSQL server run from the machine's binaries: the embedded default and the tests' database.</summary>
/// <remarks>
/// <c>initdb</c> runs once per data directory; the server listens on a free port on 127.0.0.1 only, with no Unix
/// socket, and trusts local connections. PostgreSQL refuses to run as root, so under root every server command runs as
/// the unprivileged <c>postgres</c> user (Debian's server package creates it) through <c>runuser</c>.
/// </remarks>
public sealed class LocalPostgres : IAsyncDisposable
{
    /// <summary>The role and database the service uses.</summary>
    public const string DatabaseName = "copilot";

    private const string ServiceUser = "postgres";

    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly bool _runAsServiceUser;
    private bool _stopped;

    private LocalPostgres(string binDirectory, string dataDirectory, int port, bool runAsServiceUser)
    {
        _binDirectory = binDirectory;
        _dataDirectory = dataDirectory;
        _runAsServiceUser = runAsServiceUser;
        Port = port;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A connection string for the <c>copilot</c> database.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = DatabaseName,
        Database = DatabaseName,
    }.ConnectionString;

    /// <summary>Initializes <paramref name="dataDirectory"/> if needed, starts the server on <paramref name="port"/> (a free
    /// one when null) and creates the database.</summary>
    /// <exception cref="LocalPostgresException">No binaries were found, or the server did not start; the message says why.</exception>
    public static async Task<LocalPostgres> StartAsync(
        string dataDirectory, int? port = null, CancellationToken cancellationToken = default)
    {
        var binDirectory = RequireBinDirectory();
        dataDirectory = Path.GetFullPath(dataDirectory);
        var runAsServiceUser = IsRoot();
        Directory.CreateDirectory(dataDirectory);
        if (runAsServiceUser)
        {
            await RunAsync("chown", ["-R", $"{ServiceUser}:", dataDirectory], cancellationToken);
        }

        // A server left running on this directory (a silo that was killed) is adopted rather than fought over.
        var runningPort = await RunningPortAsync(binDirectory, dataDirectory, runAsServiceUser, cancellationToken);
        var server = new LocalPostgres(binDirectory, dataDirectory, runningPort ?? port ?? LoopbackPorts.FindFree(), runAsServiceUser);
        if (runningPort is null)
        {
            await server.InitializeAsync(cancellationToken);
            await server.StartServerAsync(cancellationToken);
        }

        try
        {
            await server.CreateDatabaseAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Stops the server (fast shutdown: open connections are closed, data is kept).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        await RunServerCommandAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], CancellationToken.None);
    }

    /// <summary>Runs one of the server's tools (<c>pg_ctl</c>, <c>psql</c>, ...) from the machine's binaries, as the
    /// <c>postgres</c> user under root, as the server itself is run.</summary>
    /// <exception cref="LocalPostgresException">No binaries were found, or the tool failed; the message says why.</exception>
    public static Task RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        RunServerCommandAsync(RequireBinDirectory(), IsRoot(), tool, arguments, cancellationToken);

    /// <summary>The folder of the newest PostgreSQL server binaries: <c>COPILOT_POSTGRES_BIN</c> when set (null if it
    /// holds no <c>pg_ctl</c>), else Debian's <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, else the <c>PATH</c>.</summary>
    private static string? FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("COPILOT_POSTGRES_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "pg_ctl")) ? configured : null;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                .Where(candidate => File.Exists(Path.Combine(candidate.dir, "bin", "pg_ctl")))
                .OrderByDescending(candidate => candidate.version)
                .Select(candidate => Path.Combine(candidate.dir, "bin"))
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb")));
    }

    private static string RequireBinDirectory() => FindBinDirectory() ?? throw new LocalPostgresException(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (Debian: apt-get install postgresql) " +
        "or set ConnectionStrings__Copilot to an existing PostgreSQL database.");

    private static async Task<int?> RunningPortAsync(
        string binDirectory, string dataDirectory, bool runAsServiceUser, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        try
        {
            await RunServerCommandAsync(binDirectory, runAsServiceUser, "pg_ctl", ["-D", dataDirectory, "status"], cancellationToken);
        }
        catch (LocalPostgresException)
        {
            return null; // Stale pid file: the server will remove it when it starts.
        }

        // postmaster.pid: line 4 holds the port.
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            return;
        }

        // Sorting in the C locale (bytewise, the fastest), letters' case from C.UTF-8: lower() and ILIKE, and with them
        // search, then fold é, ñ and ü as well as ASCII. Where the C.UTF-8 locale is missing, the C locale for both.
        try
        {
            await RunServerCommandAsync(
                "initdb",
                ["-D", _dataDirectory, "-U", DatabaseName, "--auth=trust", "--encoding=UTF8", "--locale=C", "--lc-ctype=C.UTF-8", "--no-sync"],
                cancellationToken);
        }
        catch (LocalPostgresException) when (!File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            await RunServerCommandAsync(
                "initdb",
                ["-D", _dataDirectory, "-U", DatabaseName, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
                cancellationToken);
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var options = string.Join(' ',
            $"-p {Port}",
            "-c listen_addresses=127.0.0.1",
            "-c unix_socket_directories=''",
            "-c max_connections=200",
            "-c shared_buffers=128MB");
        var log = Path.Combine(_dataDirectory, "server.log");
        try
        {
            await RunServerCommandAsync(
                "pg_ctl", ["-D", _dataDirectory, "-o", options, "-l", log, "-w", "-t", "60", "start"], cancellationToken);
        }
        catch (LocalPostgresException ex)
        {
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(5)) : "";
            throw new LocalPostgresException($"{ex.Message}\n{tail}".TrimEnd(), ex);
        }
    }

    private async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", DatabaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private Task RunServerCommandAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunServerCommandAsync(_binDirectory, _runAsServiceUser, tool, arguments, cancellationToken);

    private static Task RunServerCommandAsync(
        string binDirectory, bool runAsServiceUser, string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(binDirectory, tool);
        return runAsServiceUser
            ? RunAsync("runuser", ["-u", ServiceUser, "--", path, .. arguments], cancellationToken)
            : RunAsync(path, arguments, cancellationToken);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // initdb and the server must not inherit a working directory the service user cannot read.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new LocalPostgresException($"Could not run {fileName}: {ex.Message}", ex);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            var output = (await stderr).Trim();
            output = output.Length > 0 ? output : (await stdout).Trim();
            throw new LocalPostgresException(
                $"{Path.GetFileName(fileName)} {string.Join(' ', arguments.Take(4))} failed with exit code {process.ExitCode}: {output}");
        }
    }

    // Environment.UserName resolves the effective uid on Unix.
    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";
}
