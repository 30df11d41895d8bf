using System.Net;
using Copilot.Tests.Cluster;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Operations;

/// <summary>The scrape endpoint of a real <c>Copilot.Silo</c> process: the frameworks' series are there too.</summary>
/// <remarks>Orleans' and ASP.NET Core's meters come from each host's meter factory, and the test process runs many hosts
/// that start and stop meanwhile; when one host disposes its meters, an exporter that shares their names in the same
/// process may drop the series. A process of its own, as in production, has one host, so the check belongs here.</remarks>
public sealed class MetricsProcessTests
{
    [Fact]
    public async Task A_silo_process_exports_orleans_http_server_and_our_series()
    {
        var id = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await ClusterSilo.StartAsync(id, id, new Dictionary<string, string?>(), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var user = new CopilotClient(http, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.OK, (await user.SendWhenAvailableAsync("metrics from a process of its own", TimeSpan.FromSeconds(60))).Status);

        string[] series = ["\norleans_", "\nhttp_server_request_duration_seconds", "\ncopilot_turns_total", "\ndb_client_"];
        var scrape = "";
        await Eventually.HoldsAsync(
            async () =>
            {
                scrape = "\n" + await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return series.All(s => scrape.Contains(s, StringComparison.Ordinal));
            },
            "every series is on the scrape endpoint");
        Assert.DoesNotContain(user.UserId.ToString(), scrape, StringComparison.Ordinal);
    }
}
