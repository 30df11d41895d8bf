using Copilot.Silo.Hosting;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Hosting;

/// <summary>The real executable, started with a bad setting, stops at once with one line naming it.</summary>
public sealed class StartupTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Copilot__Auth__Mode", "Jwt", "Copilot:Auth:JwtSecret or Copilot:Auth:JwksUrl is required" },
        { "Copilot__Auth__Mode", "Bogus", "'Bogus' at 'Copilot:Auth:Mode'" },
        { "Copilot__Sessions__IdleTimeout", "abc", "'abc' at 'Copilot:Sessions:IdleTimeout'" },
        { "Copilot__Sessions__PageMaxMessages", "1", "Copilot:Sessions:PageMaxMessages (Copilot__Sessions__PageMaxMessages) must be between 2 and 10000" },
        { "Copilot__Files__MaxImagesPerMessage", "0", "Copilot:Files:MaxImagesPerMessage (Copilot__Files__MaxImagesPerMessage) must be between 1 and 100" },
        { "Copilot__Cluster__ClusterId", " ", "Copilot:Cluster:ClusterId (Copilot__Cluster__ClusterId) is required" },
        { "Copilot__ChatModel__Provider", "OpenAI", "Copilot:ChatModel:ApiKey is required" },
        { "Copilot__Cluster__AdvertisedIP", "not an address", "Copilot:Cluster:AdvertisedIP must be an IP address, a host name" },
        { "Copilot__RateLimits__StreamSlotLease", "00:00:00", "Copilot:RateLimits:StreamSlotLease must be at least 1 second" },
        { "Copilot__Files__UnsentFileLifetime", "00:00:00", "Copilot:Files:UnsentFileLifetime must be positive" },
        { "Copilot__Sessions__UnstoredReplyRetryPeriod", "00:00:00", "Copilot:Sessions:UnstoredReplyRetryPeriod must be positive" },
        { "Copilot__Sessions__IndexFlushInterval", "-00:00:01", "Copilot:Sessions:IndexFlushInterval must not be negative" },
        { "ConnectionStrings__Copilot", "Host=127.0.0.1;Port=1;Username=nobody", "PostgreSQL could not be used" },
    };

    [Fact]
    public async Task Without_postgresql_binaries_the_embedded_default_says_what_to_install()
    {
        var (exitCode, line) = await RunSiloAsync(new()
        {
            ["ConnectionStrings__Copilot"] = "",
            ["COPILOT_POSTGRES_BIN"] = "/nonexistent",
            ["Copilot__Database__LocalDataDirectory"] = Path.Combine(Path.GetTempPath(), "copilot-nobin-" + Guid.NewGuid().ToString("N")[..8]),
        });

        Assert.Equal(1, exitCode);
        Assert.Equal(
            "error: PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (Debian: apt-get install postgresql) " +
            "or set ConnectionStrings__Copilot to an existing PostgreSQL database.",
            line);
    }

    [Fact]
    public async Task Without_auth_settings_on_a_real_database_the_service_refuses_to_start_and_names_the_setting()
    {
        var (exitCode, line) = await RunSiloAsync(new() { ["Copilot__Auth__Mode"] = null, ["ASPNETCORE_ENVIRONMENT"] = "Production" });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: invalid configuration: Copilot__Auth__Mode is not set", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_started_before_postgresql_answers_waits_for_it_then_fails_naming_the_setting()
    {
        var (exitCode, line, stdout) = await RunSiloWithOutputAsync(new() { ["Copilot__Database__StartupWait"] = "00:00:02" });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: PostgreSQL could not be used: PostgreSQL did not answer within 2 s (Copilot__Database__StartupWait)", line, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL does not answer yet (attempt 1:", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_service_with_one_clear_line(string name, string value, string expected)
    {
        var (exitCode, line) = await RunSiloAsync(new() { [name] = value });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_jwt_mode_an_admin_secret_shorter_than_32_bytes_stops_the_service_naming_the_setting()
    {
        var (exitCode, line) = await RunSiloAsync(new()
        {
            ["Copilot__Auth__Mode"] = "Jwt",
            ["Copilot__Auth__JwtSecret"] = TestTokens.Secret,
            ["Copilot__Auth__Issuer"] = TestTokens.Issuer,
            ["Copilot__Admin__CronSecret"] = "x",
        });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("Copilot__Admin__CronSecret) must be at least 32 bytes", line, StringComparison.Ordinal);
    }

    /// <summary>Runs the silo; returns its exit code and its only line on stderr (failing if there are more, or a stack trace).</summary>
    /// <remarks>A null value removes the variable from the defaults.</remarks>
    private static async Task<(int ExitCode, string ErrorLine)> RunSiloAsync(Dictionary<string, string?> environment)
    {
        var (exitCode, line, _) = await RunSiloWithOutputAsync(environment);
        return (exitCode, line);
    }

    /// <summary>As <see cref="RunSiloAsync"/>, with the silo's standard output (its log) too.</summary>
    private static async Task<(int ExitCode, string ErrorLine, string Stdout)> RunSiloWithOutputAsync(Dictionary<string, string?> environment)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Copilot"] = "Host=127.0.0.1;Port=1;Username=nobody",
            ["Copilot__Auth__Mode"] = "Development",
            ["Copilot__Database__StartupWait"] = "00:00:00",
            ["Copilot__Cluster__SiloPort"] = LoopbackPorts.FindFree().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Copilot__Cluster__GatewayPort"] = LoopbackPorts.FindFree().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPorts.FindFree()}",
        };
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                defaults.Remove(name);
            }
            else
            {
                defaults[name] = value;
            }
        }

        var run = await SiloCommandLine.RunAsync([], defaults);

        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        return (run.ExitCode, Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), run.Stdout);
    }
}
