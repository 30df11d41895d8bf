using System.Diagnostics;
using Npgsql;

namespace Copilot.Chaos.Cluster;

/// <summary>The cluster's one PostgreSQL: the silo executable's embedded server (<c>Copilot.Silo postgres</c>, as
/// <c>./run.sh --silos N</c> starts it) in a data directory of the run, and the faults that hit it.</summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";

    private readonly Process _host;
    private readonly string _dataDirectory;
    private readonly string _binDirectory;

    private PostgresServer(Process host, string dataDirectory, string binDirectory, string connectionString)
    {
        _host = host;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        ConnectionString = connectionString;
    }

    /// <summary>The service's connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts the server through the silo executable and waits for its connection string.</summary>
    public static async Task<PostgresServer> StartAsync(string siloAssembly, string runDirectory)
    {
        var dataDirectory = Path.Combine(runDirectory, "postgres");
        var log = Path.Combine(runDirectory, "postgres-host.log");
        var host = ChildProcess.Start(
            "dotnet",
            [siloAssembly, "postgres"],
            new Dictionary<string, string> { ["Copilot__Database__LocalDataDirectory"] = dataDirectory, ["ConnectionStrings__Copilot"] = "" },
            log);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var line = File.Exists(log)
                ? ReadShared(log).FirstOrDefault(l => l.StartsWith("ConnectionStrings__Copilot=", StringComparison.Ordinal))
                : null;
            if (line is not null)
            {
                return new PostgresServer(host, dataDirectory, FindBinDirectory(), line["ConnectionStrings__Copilot=".Length..]);
            }

            if (host.HasExited)
            {
                break;
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"The embedded PostgreSQL did not start; see {log}");
    }

    /// <summary><c>pg_ctl restart -m immediate</c>: every backend is killed without a checkpoint, the server recovers
    /// from its write-ahead log.</summary>
    public Task RestartImmediateAsync() => PgCtlAsync(
        ["-D", _dataDirectory, "-m", "immediate", "-w", "-t", "60", "-l", Path.Combine(_dataDirectory, "server.log"), "restart"]);

    /// <summary>SIGSTOP to the postmaster and every backend: connections stay open and nothing answers. Returns the
    /// stopped processes.</summary>
    public IReadOnlyList<int> Freeze()
    {
        var postmaster = PostmasterPid();
        IReadOnlyList<int> stopped = [postmaster, .. ChildProcess.Children(postmaster)];
        foreach (var pid in stopped)
        {
            ChildProcess.Signal(pid, ChildProcess.SigStop);
        }

        return stopped;
    }

    /// <summary>SIGCONT to the processes <see cref="Freeze"/> stopped.</summary>
    public static void Thaw(IReadOnlyList<int> stopped)
    {
        foreach (var pid in stopped)
        {
            ChildProcess.Signal(pid, ChildProcess.SigCont);
        }
    }

    /// <summary>Stops the host process, which stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (!_host.HasExited)
        {
            ChildProcess.Signal(_host.Id, ChildProcess.SigTerm);
            try
            {
                await _host.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            }
            catch (TimeoutException)
            {
                _host.Kill(entireProcessTree: true);
            }
        }

        _host.Dispose();
    }

    private int PostmasterPid() =>
        int.Parse(ReadShared(Path.Combine(_dataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    private Task PgCtlAsync(IReadOnlyList<string> arguments)
    {
        var pgCtl = Path.Combine(_binDirectory, "pg_ctl");
        return Environment.UserName == "root"
            ? ChildProcess.RunAsync("runuser", ["-u", ServiceUser, "--", pgCtl, .. arguments], TimeSpan.FromMinutes(1))
            : ChildProcess.RunAsync(pgCtl, arguments, TimeSpan.FromMinutes(1));
    }

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n');
    }

    private static string FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("COPILOT_POSTGRES_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(dir => Path.Combine(dir, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : -1)
            .FirstOrDefault() ?? throw new InvalidOperationException("pg_ctl was not found; set COPILOT_POSTGRES_BIN");
    }
}
