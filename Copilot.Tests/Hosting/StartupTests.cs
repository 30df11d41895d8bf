using System.Diagnostics;
using Copilot.Tests.Fixtures;

namespace Copilot.Tests.Hosting;

/// <summary>The real executable, started with a bad setting, stops at once with one line naming it.</summary>
public sealed class StartupTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Copilot__Auth__Mode", "Jwt", "Copilot:Auth:JwtSecret or Copilot:Auth:JwksUrl is required" },
        { "Copilot__Auth__Mode", "Bogus", "'Bogus' at 'Copilot:Auth:Mode'" },
        { "Copilot__Sessions__IdleTimeout", "abc", "'abc' at 'Copilot:Sessions:IdleTimeout'" },
        { "Copilot__Sessions__PageMaxMessages", "1", "PageMaxMessages must be between 2 and 10000" },
        { "Copilot__ChatModel__Provider", "OpenAI", "Copilot:ChatModel:ApiKey is required" },
        { "Copilot__Cluster__AdvertisedIP", "not-an-ip", "Copilot:Cluster:AdvertisedIP must be an IP address" },
        { "ConnectionStrings__Copilot", "Host=127.0.0.1;Port=1;Username=nobody", "PostgreSQL could not be used" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_service_with_one_clear_line(string name, string value, string expected)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repository.SiloAssembly);
        start.Environment["ConnectionStrings__Copilot"] = "Host=127.0.0.1;Port=1;Username=nobody";
        start.Environment["Copilot__Cluster__SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Copilot__Cluster__GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}";
        start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        var errorLines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single(errorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await stdout + await stderr, StringComparison.Ordinal);
    }
}
