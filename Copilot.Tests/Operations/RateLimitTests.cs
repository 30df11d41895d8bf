using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Operations;

/// <summary>Per-user send limits on <c>POST /api/copilot</c> and <c>POST /v1/chat</c>, with a faked clock and a gated model.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly GatedChatClient _model = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await CopilotAppFactory.StartAsync(
        settings: new Dictionary<string, string?>
        {
            ["Copilot:RateLimits:SendsPerMinute"] = "2",
            ["Copilot:RateLimits:ConcurrentStreams"] = "1",
            ["Copilot:RateLimits:DailyTokens"] = "100",
        },
        configureServices: services =>
        {
            services.AddSingleton<IChatClient>(_model);
            services.AddSingleton<TimeProvider>(_clock);
        });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Sends_past_the_per_minute_bucket_get_429_with_retry_after_and_store_nothing()
    {
        var user = NewUser();
        Assert.Equal(HttpStatusCode.OK, (await SendAnsweredAsync(user)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAnsweredAsync(user)).Status);

        var (status, retryAfter, body) = await SendRefusedAsync(user);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("30", retryAfter);
        Assert.Equal("rate_limited", body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
        Assert.Equal(2, await StoredSessionsAsync(user.UserId));
        Assert.Equal(2, _model.Calls);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await SendAnsweredAsync(user)).Status);
    }

    [Fact]
    public async Task A_second_stream_while_one_is_open_gets_429_and_the_first_finishes()
    {
        var user = NewUser();
        var first = user.SendAsync("a long answer please");
        var reply = await _model.NextReplyAsync();
        reply.Send("partial ");

        var (status, retryAfter, body) = await SendRefusedAsync(user);
        reply.Complete(SmallUsage());

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("1", retryAfter);
        Assert.Equal("rate_limited", body.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await first).Status);
        Assert.Equal(1, await StoredSessionsAsync(user.UserId));
        Assert.Equal(HttpStatusCode.OK, (await SendAnsweredAsync(user)).Status);
    }

    [Fact]
    public async Task The_daily_token_quota_counts_stored_usage_and_resets_at_midnight_utc()
    {
        var user = NewUser();
        Assert.Equal(HttpStatusCode.OK, (await SendAnsweredAsync(user, new UsageDetails { InputTokenCount = 60, OutputTokenCount = 50 })).Status);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var now = _clock.GetUtcNow();
        var untilMidnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero) - now;

        var (status, retryAfter, body) = await SendRefusedAsync(user);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(Math.Ceiling(untilMidnight.TotalSeconds).ToString(CultureInfo.InvariantCulture), retryAfter);
        Assert.Equal("quota_exceeded", body.GetProperty("code").GetString());
        Assert.Equal(1, await StoredSessionsAsync(user.UserId));

        _clock.Advance(untilMidnight);
        Assert.Equal(HttpStatusCode.OK, (await SendAnsweredAsync(user)).Status);
    }

    [Fact]
    public async Task A_v1_send_past_the_bucket_gets_a_problem_response_with_retry_after_and_stores_nothing()
    {
        var user = new V1Client(_app.CreateClient(), Guid.NewGuid());
        await SendAnsweredAsync(user);
        await SendAnsweredAsync(user);

        var chatId = Guid.NewGuid();
        using var refused = await user.PostChatAsync(V1Client.Body(chatId, "m-refused", "one more"));
        var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("30", refused.Headers.RetryAfter?.ToString());
        Assert.Equal("rate_limited", body.GetProperty("code").GetString());
        Assert.Equal(429, body.GetProperty("status").GetInt32());
        Assert.Equal(2, await StoredSessionsAsync(user.UserId));
        Assert.Equal(HttpStatusCode.NotFound, (await user.CallAsync(HttpMethod.Get, $"/v1/sessions/{chatId}")).Status);
    }

    private CopilotClient NewUser() => new(_app.CreateClient(), Guid.NewGuid());

    /// <summary>A send whose reply the gated model gives at once, reporting <paramref name="usage"/> (by default 2
    /// tokens: a reply without a report would be charged an estimate, and the bucket's tests would meet the quota).</summary>
    private async Task<CopilotClient.SendResult> SendAnsweredAsync(CopilotClient user, UsageDetails? usage = null)
    {
        var send = user.SendAsync("hello " + Guid.NewGuid());
        var reply = await _model.NextReplyAsync();
        reply.Send("fine");
        reply.Complete(usage ?? SmallUsage());
        return await send;
    }

    /// <summary>A /v1 send (a new chat) whose reply the gated model gives at once, reporting 2 tokens.</summary>
    private async Task SendAnsweredAsync(V1Client user)
    {
        var send = user.SendAsync(Guid.NewGuid(), "m-" + Guid.NewGuid(), "hello");
        var reply = await _model.NextReplyAsync();
        reply.Send("fine");
        reply.Complete(SmallUsage());
        await send;
    }

    private static UsageDetails SmallUsage() => new() { InputTokenCount = 1, OutputTokenCount = 1 };

    private static async Task<(HttpStatusCode Status, string? RetryAfter, JsonElement Body)> SendRefusedAsync(CopilotClient user)
    {
        using var request = user.NewRequest(HttpMethod.Post, "/api/copilot");
        request.Content = JsonContent.Create(new { message = "one more", role = "field" });
        using var response = await user.Http.SendAsync(request);
        return (response.StatusCode, response.Headers.RetryAfter?.ToString(), await CopilotClient.ReadJsonAsync(response));
    }

    private static async Task<long> StoredSessionsAsync(Guid userId) => Assert.Single(await Sql.ColumnAsync<long>(
        """
        SELECT count(*) FROM orleansstorage
        WHERE graintypestring = 'copilotsession' AND payloadbinary IS NOT NULL
          AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'owner_id' = @id::text
        """,
        userId));
}
