using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Expiry;

/// <summary>A deletion that PostgreSQL interrupts half-way (the header marked expiring, some rows gone) is finished: by
/// the owner's next delete, by the reminder within a minute, or by the sweep; and the conversation's public links close
/// before anything else, so an interrupted deletion never leaves them open.</summary>
/// <remarks>Reminders run on the fake clock, which the tests move, so they run one after another in this class.</remarks>
public sealed class InterruptedDeletionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FailingFileStore _files = null!;
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await ExpiryApp.StartAsync(
        _clock, remindersOnFakeClock: true, configureServices: services => FailingFileStore.Install(services, store => _files = store));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_delete_that_storage_interrupted_closes_the_share_at_once_and_the_next_delete_finishes_it()
    {
        var (user, probe, shareToken) = await NewSharedSessionAsync();
        _files.FailNextRelease(probe.SessionId);

        var first = await DeleteAsync(user, probe.SessionId);
        var sharedAfterFailure = await ReadShareAsync(shareToken);
        var listedAfterFailure = (await user.ListSessionsAsync()).Select(s => s.GetProperty("id").GetGuid()).ToList();
        var second = await DeleteAsync(user, probe.SessionId);
        var third = await DeleteAsync(user, probe.SessionId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first);
        Assert.Equal(HttpStatusCode.NotFound, sharedAfterFailure);
        Assert.Contains(probe.SessionId, listedAfterFailure); // still there for its owner to delete again
        Assert.Equal(HttpStatusCode.NoContent, second);
        Assert.Equal(HttpStatusCode.NotFound, third);
        await probe.AssertGoneAsync();
    }

    [Fact]
    public async Task A_delete_that_storage_interrupted_is_finished_by_the_reminder_within_a_minute()
    {
        var (user, probe, shareToken) = await NewSharedSessionAsync();
        _files.FailNextRelease(probe.SessionId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await DeleteAsync(user, probe.SessionId));
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(1));

        await Eventually.HoldsAsync(
            async () => !(await user.ListSessionsAsync()).Any(s => s.GetProperty("id").GetGuid() == probe.SessionId),
            "the reminder finished the deletion");
        Assert.Equal(HttpStatusCode.NotFound, await ReadShareAsync(shareToken));
        await probe.AssertGoneAsync();
    }

    [Fact]
    public async Task An_expiry_that_storage_interrupted_does_not_stop_the_sweep_and_the_next_sweep_finishes_it()
    {
        // Reminders on real time here, so only the sweep expires anything.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        FailingFileStore files = null!;
        await using var app = await ExpiryApp.StartAsync(
            clock, remindersOnFakeClock: false, configureServices: services => FailingFileStore.Install(services, store => files = store));
        var user = new CopilotClient(app.CreateClient(), Guid.NewGuid());
        var failing = new SessionProbe(app, user, (await user.SendAsync("the idle one that fails")).SessionId);
        var other = new SessionProbe(app, user, (await user.SendAsync("the other idle one")).SessionId);
        files.FailNextRelease(failing.SessionId);
        clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));

        var first = await SweepAsync(app);
        await other.AssertGoneAsync();
        var second = await SweepAsync(app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
        Assert.Equal("unavailable", first.Body.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(1, second.Body.GetProperty("expired").GetInt32());
        await failing.AssertGoneAsync();
    }

    private async Task<(CopilotClient User, SessionProbe Probe, string ShareToken)> NewSharedSessionAsync()
    {
        var user = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var sessionId = (await user.SendAsync("the gutter quote for 12 Elm Street")).SessionId;
        var share = await _app.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>(sessionId)
            .CreateShareAsync(user.UserId, TimeSpan.FromDays(7));
        Assert.Equal(HttpStatusCode.OK, await ReadShareAsync(share.Token));
        return (user, new SessionProbe(_app, user, sessionId), share.Token);
    }

    private async Task<HttpStatusCode> DeleteAsync(CopilotClient user, Guid sessionId)
    {
        using var request = user.NewRequest(HttpMethod.Delete, $"/v1/sessions/{sessionId}");
        using var response = await _app.CreateClient().SendAsync(request);
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> ReadShareAsync(string token)
    {
        using var response = await _app.CreateClient().GetAsync($"/v1/shares/{token}");
        return response.StatusCode;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SweepAsync(CopilotAppFactory app)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SweepTests.SweepPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ExpiryApp.CronSecret);
        using var response = await app.CreateClient().SendAsync(request);
        return (response.StatusCode, await CopilotClient.ReadJsonAsync(response));
    }
}
