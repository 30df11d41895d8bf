using System.Net;
using System.Text.Json;
using Copilot.Silo.Database;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.Operations;

/// <summary>Liveness and readiness on an app with its own PostgreSQL server, which the test stops and starts again.</summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), TestDatabase.DirectoryPrefix + Guid.NewGuid().ToString("N")[..8]);
    private LocalPostgres _postgres = null!;
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync()
    {
        _postgres = await LocalPostgres.StartAsync(_directory);
        _app = new CopilotAppFactory(_postgres.ConnectionString);
        _app.StartServer();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Readiness_fails_naming_postgresql_while_it_is_down_and_recovers_when_it_is_back()
    {
        var http = _app.CreateClient();
        var port = _postgres.Port;
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/readyz")).Status);

        await _postgres.DisposeAsync();
        var (status, body) = await GetAsync(http, "/readyz");
        var (liveStatus, _) = await GetAsync(http, "/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal(["postgresql"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("orleans-silo").GetString());
        Assert.Equal(HttpStatusCode.OK, liveStatus);

        _postgres = await LocalPostgres.StartAsync(_directory, port);
        await Eventually.HoldsAsync(
            async () => (await GetAsync(http, "/readyz")).Status == HttpStatusCode.OK, "/readyz answers 200 again");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await CopilotClient.ReadJsonAsync(response));
    }
}
