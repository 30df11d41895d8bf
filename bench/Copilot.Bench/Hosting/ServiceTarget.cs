using System.Net;
using Copilot.Bench.Measuring;
using Copilot.Testing.Auth;
using Copilot.Testing.Silos;
using Npgsql;

namespace Copilot.Bench.Hosting;

/// <summary>The service under test and what the phases may use of it: HTTP always; its database, an Orleans client
/// and its process when the bench started it (or was told where they are).</summary>
internal sealed class ServiceTarget : IAsyncDisposable
{
    private readonly List<Func<ValueTask>> _cleanup = [];

    /// <summary>How the service was reached, for the report.</summary>
    public required string Description { get; init; }

    /// <summary>The service's base address.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The HTTP client every phase shares: real sockets, enough connections for every virtual user.</summary>
    public required HttpClient Http { get; init; }

    public required Func<Guid, string> TokenFor { get; init; }

    /// <summary>True when every token names the same user (one <c>--token</c>).</summary>
    public bool SharedUser { get; init; }

    /// <summary>The service's PostgreSQL database, when known: WAL counters, and the seed's and the floor's tables.</summary>
    public NpgsqlDataSource? Database { get; init; }

    /// <summary>The connection string of <see cref="Database"/>.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The HS256 secret its tokens are signed with, when the bench chose it.</summary>
    public string? JwtSecret { get; init; }

    /// <summary>An Orleans client of the service's cluster, when the bench started it.</summary>
    public IClusterClient? Grains { get; init; }

    /// <summary>The service's process, when the bench started it.</summary>
    public SiloProcess? Silo { get; init; }

    /// <summary>WAL accounting on <see cref="Database"/>; set once the bench has looked at what the server allows.</summary>
    public WalCounter? Wal { get; set; }

    /// <summary>CPU accounting of the service and PostgreSQL processes, when the bench started them.</summary>
    public CpuMeter? Cpu { get; init; }

    /// <summary>Connects to a service that is already running.</summary>
    public static ServiceTarget Connect(BenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tokens = settings.JwtSecret is not null ? new JwtMinter(settings.JwtSecret, settings.Issuer!, TimeSpan.FromHours(2)) : null;
        var target = new ServiceTarget
        {
            Description = $"running service at {settings.Url}",
            BaseAddress = settings.Url!,
            Http = CreateHttpClient(settings.Url!, settings.Users),
            TokenFor = tokens is not null ? tokens.For : _ => settings.Token!,
            SharedUser = tokens is null,
            Database = settings.ConnectionString is null ? null : NpgsqlDataSource.Create(settings.ConnectionString),
            ConnectionString = settings.ConnectionString,
        };
        target.OnDispose(() => { target.Http.Dispose(); return ValueTask.CompletedTask; });
        if (target.Database is { } database)
        {
            target.OnDispose(database.DisposeAsync);
        }

        return target;
    }

    /// <summary>An HTTP client on real sockets with room for <paramref name="users"/> concurrent streams (and more).</summary>
    public static HttpClient CreateHttpClient(Uri baseAddress, int users) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Math.Max(64, users * 4),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Registers cleanup, run in reverse order on dispose.</summary>
    public void OnDispose(Func<ValueTask> cleanup) => _cleanup.Add(cleanup);

    public async ValueTask DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            try
            {
                await _cleanup[i]();
            }
            catch (Exception ex)
            {
                await Console.Error.WriteLineAsync($"warning: cleanup failed: {ex.Message}");
            }
        }

        _cleanup.Clear();
    }
}
