using System.Globalization;
using System.Security.Cryptography;
using Copilot.Bench.Measuring;
using Copilot.Silo.Database;
using Copilot.Silo.Hosting;
using Copilot.Testing.Auth;
using Copilot.Testing.ChatModel;
using Copilot.Testing.Silos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;

namespace Copilot.Bench.Hosting;

/// <summary>Starts the whole service for a run: an embedded PostgreSQL in a temp directory, the built Copilot.BenchSilo
/// (Copilot.Silo's host with the long-prose offline model) as a child process on it (offline model at zero delay, Jwt
/// auth with a fresh HS256 secret), and an Orleans client of its cluster for the figures HTTP cannot give (bulk pre-fill, the newest page, forcing a GC).</summary>
internal static class LocalService
{
    private const string ClusterId = "bench";
    private const string ServiceId = "bench";
    private const string Issuer = "https://copilot-bench.local/auth/v1";

    /// <summary>Starts everything; the returned target stops it all on dispose.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="replyChars">The offline model's reply length (<c>Bench:ReplyChars</c>); 0 leaves it unset, for the
    /// short reply.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<ServiceTarget> StartAsync(BenchSettings settings, int replyChars, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "copilot-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var cleanup = new List<Func<ValueTask>>
        {
            () =>
            {
                Directory.Delete(directory, recursive: true);
                return ValueTask.CompletedTask;
            },
        };
        try
        {
            Console.Error.WriteLine($"Starting PostgreSQL in {directory} ...");
            var postgres = await LocalPostgres.StartAsync(Path.Combine(directory, "postgres"), cancellationToken: cancellationToken);
            cleanup.Add(postgres.DisposeAsync);
            var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { MaxPoolSize = 100 }.ConnectionString;

            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
            var baseAddress = new Uri($"http://127.0.0.1:{LoopbackPorts.FindFree()}");
            var gatewayPort = LoopbackPorts.FindFree();
            var environment = new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/'),
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Copilot"] = postgres.ConnectionString,
                ["Copilot__Cluster__ClusterId"] = ClusterId,
                ["Copilot__Cluster__ServiceId"] = ServiceId,
                ["Copilot__Cluster__SiloPort"] = LoopbackPorts.FindFree().ToString(CultureInfo.InvariantCulture),
                ["Copilot__Cluster__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
                ["Copilot__Auth__Mode"] = "Jwt",
                ["Copilot__Auth__JwtSecret"] = secret,
                ["Copilot__Auth__Issuer"] = Issuer,
                ["Copilot__Auth__DevelopmentKeyPath"] = Path.Combine(directory, "dev-signing-key"),
                ["Copilot__ChatModel__Provider"] = "Offline",
                ["Copilot__ChatModel__OfflineChunkDelay"] = "00:00:00",

                // Each virtual user sends hundreds of turns a minute: lift the per-user limits a person never reaches.
                ["Copilot__RateLimits__SendsPerMinute"] = "1000000",
                ["Copilot__RateLimits__ConcurrentStreams"] = "10000",
                ["Copilot__RateLimits__WritesPerMinute"] = "1000000",
                ["Copilot__Sessions__MaxPerUser"] = "1000000",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Orleans.Runtime.Silo"] = "Warning",
            };
            if (replyChars > 0)
            {
                environment[ProseReplies.ReplyCharsKey] = replyChars.ToString(CultureInfo.InvariantCulture);
            }

            foreach (var (key, value) in settings.SiloSettings)
            {
                environment[key] = value;
            }

            Console.Error.WriteLine($"Starting Copilot.BenchSilo on {baseAddress} ...");
            var logDirectory = Path.GetDirectoryName(Path.GetFullPath(settings.OutputPath))!;
            Directory.CreateDirectory(logDirectory);
            var logPath = Path.Combine(logDirectory, replyChars > 0 ? $"silo-{replyChars}-char-replies.log" : "silo-short-replies.log");
            File.Delete(logPath);
            var silo = SiloProcess.Start(
                Path.Combine(AppContext.BaseDirectory, "Copilot.BenchSilo.dll"), environment, logPath, stopGrace: TimeSpan.FromSeconds(30));
            cleanup.Add(silo.DisposeAsync);
            await silo.WaitUntilHealthyAsync(baseAddress, TimeSpan.FromSeconds(120), cancellationToken);

            var database = NpgsqlDataSource.Create(connectionString);
            cleanup.Add(database.DisposeAsync);
            var client = await StartClientAsync(connectionString, cancellationToken);
            cleanup.Add(async () =>
            {
                await client.StopAsync();
                client.Dispose();
            });

            var tokens = new JwtMinter(secret, Issuer, TimeSpan.FromHours(2));
            var target = new ServiceTarget
            {
                Description = "Copilot.BenchSilo started by the bench as a child process, on an embedded PostgreSQL in a temp directory",
                BaseAddress = baseAddress,
                Http = ServiceTarget.CreateHttpClient(baseAddress, settings.Users),
                TokenFor = tokens.For,
                Database = database,
                ConnectionString = connectionString,
                JwtSecret = secret,
                Grains = client.Services.GetRequiredService<IClusterClient>(),
                Silo = silo,
                Cpu = new CpuMeter(silo.Id, await PostmasterPidAsync(Path.Combine(directory, "postgres"))),
            };
            foreach (var step in cleanup)
            {
                target.OnDispose(step);
            }

            target.OnDispose(() =>
            {
                target.Http.Dispose();
                return ValueTask.CompletedTask;
            });
            return target;
        }
        catch
        {
            for (var i = cleanup.Count - 1; i >= 0; i--)
            {
                try
                {
                    await cleanup[i]();
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or LocalPostgresException)
                {
                    // Best effort: the original failure is what matters.
                }
            }

            throw;
        }
    }

    private static async Task<IHost> StartClientAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>The server's process id: the first line of <c>postmaster.pid</c>.</summary>
    private static async Task<int> PostmasterPidAsync(string dataDirectory)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(dataDirectory, "postmaster.pid"));
        return int.Parse(lines[0], CultureInfo.InvariantCulture);
    }

}
