using Copilot.Silo.Database;
using Copilot.Testing.Polling;
using Copilot.Testing.Silos;
using Npgsql;

namespace Copilot.Chaos.Cluster;

/// <summary>The cluster's one PostgreSQL: the silo executable's embedded server (<c>Copilot.Silo postgres</c>, as
/// <c>./run.sh --silos N</c> starts it) in a data directory of the run, and the faults that hit it.</summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private const string ConnectionStringLine = "ConnectionStrings__Copilot=";

    private readonly SiloProcess _host;
    private readonly string _dataDirectory;

    private PostgresServer(SiloProcess host, string dataDirectory, string connectionString)
    {
        _host = host;
        _dataDirectory = dataDirectory;
        ConnectionString = connectionString;
    }

    /// <summary>The service's connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts the server through the silo executable and waits for its connection string.</summary>
    public static async Task<PostgresServer> StartAsync(string siloAssembly, string runDirectory)
    {
        var dataDirectory = Path.Combine(runDirectory, "postgres");
        var log = Path.Combine(runDirectory, "postgres-host.log");
        var host = SiloProcess.Start(
            siloAssembly,
            new Dictionary<string, string?> { ["Copilot__Database__LocalDataDirectory"] = dataDirectory, ["ConnectionStrings__Copilot"] = "" },
            log,
            arguments: ["postgres"],
            workingDirectory: Environment.CurrentDirectory);
        var line = await Poll.ForAsync(
            () => Task.FromResult(host.HasExited
                ? ""
                : host.Output.Split('\n').FirstOrDefault(l => l.StartsWith(ConnectionStringLine, StringComparison.Ordinal))),
            TimeSpan.FromMinutes(2),
            TimeSpan.FromMilliseconds(250));
        if (string.IsNullOrEmpty(line))
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"The embedded PostgreSQL did not start; see {log}");
        }

        return new PostgresServer(host, dataDirectory, line[ConnectionStringLine.Length..].TrimEnd('\r'));
    }

    /// <summary><c>pg_ctl restart -m immediate</c>: every backend is killed without a checkpoint, the server recovers
    /// from its write-ahead log.</summary>
    public Task RestartImmediateAsync() => LocalPostgres.RunToolAsync(
            "pg_ctl",
            ["-D", _dataDirectory, "-m", "immediate", "-w", "-t", "60", "-l", Path.Combine(_dataDirectory, "server.log"), "restart"])
        .WaitAsync(TimeSpan.FromMinutes(1));

    /// <summary>SIGSTOP to the postmaster and every backend: connections stay open and nothing answers. Returns the
    /// stopped processes.</summary>
    public IReadOnlyList<int> Freeze()
    {
        var postmaster = PostmasterPid();
        IReadOnlyList<int> stopped = [postmaster, .. Signals.ChildrenOf(postmaster)];
        foreach (var pid in stopped)
        {
            Signals.Send(pid, Signals.Stop);
        }

        return stopped;
    }

    /// <summary>SIGCONT to the processes <see cref="Freeze"/> stopped.</summary>
    public static void Thaw(IReadOnlyList<int> stopped)
    {
        foreach (var pid in stopped)
        {
            Signals.Send(pid, Signals.Continue);
        }
    }

    /// <summary>Stops the host process, which stops the server (SIGTERM, then SIGKILL after a minute).</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _host.DisposeAsync();
    }

    private int PostmasterPid()
    {
        using var stream = new FileStream(
            Path.Combine(_dataDirectory, "postmaster.pid"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return int.Parse(reader.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
