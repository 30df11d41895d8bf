using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Npgsql;

namespace Copilot.Tests.Operations;

/// <summary>The Prometheus scrape endpoint: our instruments and the frameworks', and nothing of what users wrote.</summary>
[Collection(AppCollection.Name)]
public sealed partial class MetricsTests(AppFixture fixture)
{
    [Fact]
    public async Task A_turn_moves_our_counters_on_the_metrics_endpoint_without_its_content()
    {
        var user = fixture.NewUser();
        var http = fixture.App.CreateClient();
        var before = await ScrapeAsync(http);
        var message = "metrics probe " + Guid.NewGuid();

        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(message, role: "field")).Status);

        var after = "";

        await Eventually.HoldsAsync(
            async () => Sum(after = await ScrapeAsync(http), "copilot_turns_total", "outcome=\"complete\"", "persona=\"field\"")
                > Sum(before, "copilot_turns_total", "outcome=\"complete\"", "persona=\"field\""),
            "the completed turn is counted");
        Assert.True(Sum(after, "copilot_turn_duration_seconds_count") > Sum(before, "copilot_turn_duration_seconds_count"));
        Assert.True(Sum(after, "copilot_turn_time_to_first_token_seconds_count") > Sum(before, "copilot_turn_time_to_first_token_seconds_count"));
        Assert.True(Sum(after, "copilot_model_tokens_total", "direction=\"output\"") > Sum(before, "copilot_model_tokens_total", "direction=\"output\""));

        // The meter is process-wide and other test apps' sessions deactivate meanwhile, so only the series is checked.
        // Orleans' and ASP.NET Core's series are checked on a process of its own (MetricsProcessTests).
        Assert.Contains("\ncopilot_sessions_active", after, StringComparison.Ordinal);
        Assert.Contains("\ndb_client_", after, StringComparison.Ordinal);
        Assert.DoesNotContain(message, after, StringComparison.Ordinal);
        Assert.DoesNotContain(user.UserId.ToString(), after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_label_names_the_database_host_port_user_or_name()
    {
        var user = fixture.NewUser();
        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync("a turn that uses the pool", role: "pm")).Status);
        var database = new NpgsqlConnectionStringBuilder(await TestDatabase.GetConnectionStringAsync());

        var scrape = await ScrapeAsync(fixture.App.CreateClient());

        // Orleans' series name this silo's own address; only Npgsql's could name the database's.
        var databaseSeries = string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith("db_", StringComparison.Ordinal)));
        var values = LabelValues().Matches(databaseSeries).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("\ndb_client_connection_count", scrape, StringComparison.Ordinal);
        Assert.DoesNotContain("pool_name", scrape, StringComparison.Ordinal);
        foreach (var detail in new[] { database.Host!, database.Port.ToString(CultureInfo.InvariantCulture), database.Username!, database.Database! })
        {
            Assert.DoesNotContain(detail, values);
        }

        Assert.DoesNotContain(values, v => v.Contains("Host=", StringComparison.OrdinalIgnoreCase) || v.Contains("Database=", StringComparison.OrdinalIgnoreCase));
    }

    [GeneratedRegex("=\"([^\"]*)\"")]
    private static partial Regex LabelValues();

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return "\n" + await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Sum(string scrape, string name, params string[] labels) => scrape
        .Split('\n')
        .Where(line => (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            && labels.All(label => line.Contains(label, StringComparison.Ordinal)))
        .Sum(SampleValue);

    /// <summary>The value of a sample line <c>name{labels} value [timestamp]</c>.</summary>
    private static double SampleValue(string line)
    {
        var afterLabels = line[(line.LastIndexOf('}') + 1)..].Trim();
        var value = line.Contains('{', StringComparison.Ordinal) ? afterLabels : line.Split(' ')[1];
        return double.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
