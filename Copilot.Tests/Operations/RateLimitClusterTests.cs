using System.Net;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Operations;

/// <summary>A user's send limits hold for the whole cluster: two silos (two whole apps on one database and cluster id)
/// share one bucket, held by the user's limits grain.</summary>
public sealed class RateLimitClusterTests : IAsyncLifetime
{
    private const int SendsPerMinute = 3;

    private CopilotAppFactory _siloA = null!;
    private CopilotAppFactory _siloB = null!;

    public async Task InitializeAsync() =>
        (_siloA, _siloB) = await CopilotAppFactory.StartPairAsync(
            "limits", new Dictionary<string, string?> { ["Copilot:RateLimits:SendsPerMinute"] = $"{SendsPerMinute}" });

    public async Task DisposeAsync()
    {
        await _siloB.DisposeAsync();
        await _siloA.DisposeAsync();
    }

    [Fact]
    public async Task Sends_through_two_silos_draw_on_one_bucket()
    {
        var userId = Guid.NewGuid();
        var onA = new CopilotClient(_siloA.CreateClient(), userId);
        var onB = new CopilotClient(_siloB.CreateClient(), userId);

        var admitted = new[]
        {
            (await onA.SendAsync("one")).Status,
            (await onB.SendAsync("two")).Status,
            (await onA.SendAsync("three")).Status,
        };
        var refusedOnB = await onB.SendAsync("four");
        var refusedOnA = await onA.SendAsync("five");

        Assert.All(admitted, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedOnB.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedOnA.Status);
        Assert.Equal(SendsPerMinute, (await onB.ListSessionsAsync()).Length);
    }
}
