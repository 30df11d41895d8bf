using System.Globalization;
using System.Security.Cryptography;

namespace Copilot.Chaos.Cluster;

/// <summary>A local cluster as <c>./run.sh --silos N</c> starts it: the embedded PostgreSQL, then N silos with ports of
/// their own, Jwt auth on a fresh secret and the offline model.</summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>The issuer of the run's tokens.</summary>
    public const string Issuer = "copilot-chaos";

    private LocalCluster(PostgresServer postgres, IReadOnlyList<SiloNode> silos, string secret, string runDirectory)
    {
        Postgres = postgres;
        Silos = silos;
        Secret = secret;
        RunDirectory = runDirectory;
    }

    public PostgresServer Postgres { get; }

    public IReadOnlyList<SiloNode> Silos { get; }

    /// <summary>The HS256 secret the silos accept tokens signed with.</summary>
    public string Secret { get; }

    /// <summary>Where logs and the database live.</summary>
    public string RunDirectory { get; }

    /// <summary>The service id the silos store their rows under.</summary>
    public static string ServiceId => "chaos";

    /// <summary>Starts the database and the settings' silos of the built executable.</summary>
    public static async Task<LocalCluster> StartAsync(ChaosSettings settings)
    {
        var siloAssembly = FindSiloAssembly();
        var runDirectory = Directory.CreateTempSubdirectory("copilot-chaos-").FullName;

        // The server runs as the postgres user under root, and must reach its data directory.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(runDirectory, (UnixFileMode)0b111_101_101);
        }

        var postgres = await PostgresServer.StartAsync(siloAssembly, runDirectory);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Copilot"] = postgres.ConnectionString,
            ["Copilot__Cluster__ClusterId"] = ServiceId,
            ["Copilot__Cluster__ServiceId"] = ServiceId,
            ["Copilot__Auth__Mode"] = "Jwt",
            ["Copilot__Auth__JwtSecret"] = secret,
            ["Copilot__Auth__Issuer"] = Issuer,

            // Configured, so that anonymous admin posts are refused 401 rather than 404 (no admin routes); never sent.
            ["Copilot__Admin__CronSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Copilot__ChatModel__Provider"] = "Offline",
            ["Copilot__ChatModel__OfflineChunkDelay"] = settings.ChunkDelay.ToString("c", CultureInfo.InvariantCulture),

            // The virtual users send far faster than a person: the per-user buckets would answer them 429. The stream
            // limit stays under pressure: the pressing users' bursts go past it; one conversation never reaches it.
            ["Copilot__RateLimits__SendsPerMinute"] = "1000000",
            ["Copilot__RateLimits__ConcurrentStreams"] = settings.StreamLimit.ToString(CultureInfo.InvariantCulture),
            ["Copilot__RateLimits__StreamSlotLease"] = settings.StreamSlotLease.ToString("c", CultureInfo.InvariantCulture),
            ["Copilot__RateLimits__WritesPerMinute"] = "1000000",
            ["Copilot__Sessions__MaxPerUser"] = "1000000",
            ["Logging__LogLevel__Default"] = "Warning",

            // Each line timed, and each send a user's stream limit refuses, with the slots held: what a failed
            // invariant needs to be traced in the logs the run keeps.
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging__LogLevel__Copilot.Grains.Usage.UserLimitsGrain"] = "Debug",
            ["DOTNET_gcServer"] = "0",
        };
        var nodes = Enumerable.Range(0, settings.Silos).Select(i => new SiloNode(i, siloAssembly, environment, runDirectory)).ToList();
        var cluster = new LocalCluster(postgres, nodes, secret, runDirectory);
        try
        {
            // The first silo applies the schema; the others join its cluster.
            await nodes[0].StartAsync(TimeSpan.FromMinutes(2));
            await Task.WhenAll(nodes.Skip(1).Select(n => n.StartAsync(TimeSpan.FromMinutes(2))));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Silos.Select(s => s.StopAsync()));
        await Postgres.DisposeAsync();
    }

    /// <summary>The built <c>Copilot.Silo.dll</c> of the same configuration as this program.</summary>
    private static string FindSiloAssembly()
    {
        // bench/Copilot.Chaos/bin/<Configuration>/net10.0/ → Copilot.Silo/bin/<Configuration>/net10.0/
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var repository = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        var silo = Path.Combine(repository, "Copilot.Silo", "bin", configuration, framework, "Copilot.Silo.dll");
        return File.Exists(silo) ? silo : throw new InvalidOperationException($"{silo} is missing; build Copilot.Silo first");
    }
}
