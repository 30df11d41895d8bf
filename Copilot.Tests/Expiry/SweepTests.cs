using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Copilot.Tests.Fixtures.Apps;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Expiry;

/// <summary>The admin sweep, on an app whose session clock is fake but whose reminders run on real time: here only the
/// sweep can expire anything. Only one test creates sessions, so the sweep's count is that test's alone.</summary>
public sealed class SweepTests(SweepAppFixture fixture) : IClassFixture<SweepAppFixture>
{
    /// <summary>The sweep's route.</summary>
    public const string SweepPath = "/api/cron/cleanup-copilot-sessions";

    private readonly FakeTimeProvider _clock = fixture.Clock;
    private readonly CopilotAppFactory _app = fixture.App;

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-secret")]
    [InlineData("cron-secret-for-tests-0123456789abcdef")]
    [InlineData("Bearer cron-secret-for-tests-0123456789abcde")]
    public async Task The_sweep_rejects_a_missing_or_wrong_secret(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SweepPath);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", (await CopilotClient.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_sweep_removes_exactly_the_sessions_idle_past_the_timeout()
    {
        var user = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var idle = new SessionProbe(_app, user, (await user.SendAsync("idle one")).SessionId);
        var touched = new SessionProbe(_app, user, (await user.SendAsync("busy one")).SessionId);
        _clock.Advance(TimeSpan.FromDays(20));
        await user.SendAsync("still busy", touched.SessionId);
        _clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromMinutes(1));

        var first = await SweepAsync();
        var second = await SweepAsync();

        Assert.Equal(1, first);
        Assert.Equal(0, second);
        await idle.AssertGoneAsync();
        await touched.AssertPresentAsync(messages: 4);
    }

    private async Task<int> SweepAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SweepPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ExpiryApp.CronSecret);
        using var response = await _app.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("success").GetBoolean());
        return body.GetProperty("expired").GetInt32();
    }
}
