using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.Api;

/// <summary>The embedded default: development tokens from the key kept on disk, and the <c>token</c> command.</summary>
public sealed class DevelopmentAuthTests : IAsyncLifetime
{
    private readonly string _keyPath = Path.Combine(Path.GetTempPath(), "copilot-dev-key-" + Guid.NewGuid().ToString("N")[..8]);
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await CopilotAppFactory.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Copilot:Auth:Mode"] = "Development",
        ["Copilot:Auth:JwtSecret"] = null,
        ["Copilot:Auth:Issuer"] = null,
        ["Copilot:Auth:DevelopmentKeyPath"] = _keyPath,
    });

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        File.Delete(_keyPath);
    }

    [Fact]
    public async Task A_token_from_the_token_command_is_accepted_and_names_its_user()
    {
        var userId = Guid.NewGuid();

        var (exitCode, output) = await RunTokenCommandAsync(userId.ToString());
        var http = _app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", output.Trim());
        using var send = await http.PostAsync("/api/copilot", new StringContent("""{"message":"hello from dev"}""", Encoding.UTF8, "application/json"));
        var sessions = await http.GetStringAsync("/api/copilot");

        Assert.Equal(0, exitCode);
        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        Assert.Contains($"\"user_id\":\"{userId}\"", sessions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_key_is_created_once_and_kept_private()
    {
        await RunTokenCommandAsync(Guid.NewGuid().ToString());
        var key = await File.ReadAllTextAsync(_keyPath);
        await RunTokenCommandAsync(Guid.NewGuid().ToString());

        Assert.Equal(key, await File.ReadAllTextAsync(_keyPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_keyPath));
        }
    }

    [Fact]
    public async Task A_production_token_is_refused_in_development_mode()
    {
        var http = _app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(Guid.NewGuid()));

        using var response = await http.GetAsync("/api/copilot");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_token_command_refuses_a_user_id_that_is_not_a_uuid()
    {
        var (exitCode, _) = await RunTokenCommandAsync("alice");

        Assert.Equal(2, exitCode);
    }

    private async Task<(int ExitCode, string Output)> RunTokenCommandAsync(string userId)
    {
        var run = await SiloCommandLine.RunAsync(["token", userId], new Dictionary<string, string?>
        {
            ["Copilot__Auth__Mode"] = "Development",
            ["Copilot__Auth__DevelopmentKeyPath"] = _keyPath,
            ["ConnectionStrings__Copilot"] = await TestDatabase.GetConnectionStringAsync(),
        });
        return (run.ExitCode, run.Stdout);
    }
}
