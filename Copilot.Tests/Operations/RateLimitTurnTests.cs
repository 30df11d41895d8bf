using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Operations;

/// <summary>The limits that count what costs money: running turns hold their stream slots whether or not a client
/// reads them, a user's sessions are capped, and session writes are limited per minute.</summary>
public sealed class RateLimitTurnTests : IAsyncLifetime
{
    private const int Streams = 4;
    private const int MaxSessions = 6;
    private const int WritesPerMinute = 8;

    private readonly GatedChatClient _model = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await CopilotAppFactory.StartAsync(
        settings: new Dictionary<string, string?>
        {
            ["Copilot:RateLimits:SendsPerMinute"] = "100",
            ["Copilot:RateLimits:ConcurrentStreams"] = $"{Streams}",
            ["Copilot:RateLimits:WritesPerMinute"] = $"{WritesPerMinute}",
            ["Copilot:Sessions:MaxPerUser"] = $"{MaxSessions}",
        },
        configureServices: services =>
        {
            services.AddSingleton<IChatClient>(_model);
            services.AddSingleton<TimeProvider>(_clock);
        });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Turns_whose_clients_disconnected_hold_their_slots_until_they_end()
    {
        var user = NewUser();
        var running = new List<(Guid SessionId, GatedReply Reply)>();
        for (var i = 0; i < Streams; i++)
        {
            running.Add(await StartAndDisconnectAsync(user));
        }

        var (status, retryAfter, body) = await PostSeedAsync(user, "a fifth at once", sessionId: null);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("1", retryAfter);
        Assert.Equal("rate_limited", body.GetProperty("code").GetString());
        Assert.Equal(Streams, _model.Calls);
        Assert.All(running, r => Assert.False(r.Reply.Cancelled.IsCompleted));

        // One turn ends: once its reply is stored, its slot is free for the next send.
        running[0].Reply.Send("done.");
        running[0].Reply.Complete();
        await Eventually.HoldsAsync(
            async () => (await user.LoadMessagesAsync(running[0].SessionId)).Any(m => m.GetProperty("role").GetString() == "assistant"),
            "the first turn's reply is stored");
        var next = user.SendAsync("now there is room");
        var reply = await _model.NextReplyAsync();
        reply.Send("fine");
        reply.Complete();
        Assert.Equal(HttpStatusCode.OK, (await next).Status);

        foreach (var (_, other) in running.Skip(1))
        {
            other.Complete();
        }
    }

    [Fact]
    public async Task A_new_session_past_the_cap_is_refused_with_409_on_both_surfaces_and_nothing_is_stored()
    {
        var user = NewUser();
        for (var i = 0; i < MaxSessions; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAnsweredAsync(user)).Status);
        }

        var calls = _model.Calls;
        var (seedStatus, _, seedBody) = await PostSeedAsync(user, "one more conversation", sessionId: Guid.NewGuid());
        var v1 = new V1Client(user.Http, user.UserId);
        var chatId = Guid.NewGuid();
        using var refused = await v1.PostChatAsync(V1Client.Body(chatId, "m-over", "one more on v1"));
        var (v1Status, v1Body, contentType) = await V1Client.ReadAsync(refused);

        Assert.Equal(HttpStatusCode.Conflict, seedStatus);
        Assert.Equal("session_limit", seedBody.GetProperty("code").GetString());
        Assert.Contains("delete old conversations", seedBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, v1Status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("session_limit", v1Body.GetProperty("code").GetString());
        Assert.Contains("delete old conversations", v1Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(calls, _model.Calls);
        Assert.Equal(MaxSessions, (await v1.GetOkAsync("/v1/sessions?limit=50")).GetProperty("data").GetArrayLength());
        Assert.Equal(0, await Sql.SessionRowCountAsync(chatId));
        Assert.Equal(0, await Sql.SegmentRowCountAsync(chatId));
        Assert.Equal(0, Assert.Single(await Sql.ColumnAsync<long>(
            """
            SELECT count(*) FROM orleansreminderstable
            WHERE grainid ILIKE '%' || replace(@id::text, '-', '') || '%' OR grainid ILIKE '%' || @id::text || '%'
            """,
            chatId)));
        Assert.Equal(HttpStatusCode.NotFound, (await v1.CallAsync(HttpMethod.Get, $"/v1/sessions/{chatId}")).Status);
    }

    [Fact]
    public async Task Renames_and_deletes_past_the_write_bucket_get_429_with_retry_after()
    {
        var user = NewUser();
        var sessionId = (await SendAnsweredAsync(user)).SessionId;
        var v1 = new V1Client(user.Http, user.UserId);
        for (var i = 1; i < WritesPerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await v1.CallAsync(HttpMethod.Patch, $"/v1/sessions/{sessionId}", new { title = $"title {i}" })).Status);
        }

        using var rename = v1.NewRequest(HttpMethod.Patch, $"/v1/sessions/{sessionId}");
        rename.Content = JsonContent.Create(new { title = "one too many" });
        using var refused = await user.Http.SendAsync(rename);
        var (status, body, _) = await V1Client.ReadAsync(refused);
        var (deleteStatus, deleteBody, _) = await v1.CallAsync(HttpMethod.Delete, $"/v1/sessions/{sessionId}");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("8", refused.Headers.RetryAfter?.ToString());
        Assert.Equal("rate_limited", body.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, deleteStatus);
        Assert.Equal("rate_limited", deleteBody.GetProperty("code").GetString());
        Assert.Equal($"title {WritesPerMinute - 1}", (await v1.GetOkAsync($"/v1/sessions/{sessionId}")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task New_chats_sent_at_once_cannot_pass_the_cap_together()
    {
        var user = NewUser();
        for (var i = 0; i < MaxSessions - 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAnsweredAsync(user)).Status);
        }

        // Four new chats at once with room for two: each is admitted against the sessions listed and those being created.
        var v1 = new V1Client(user.Http, user.UserId);
        var posts = Enumerable.Range(0, Streams).Select(i => v1.PostChatAsync(V1Client.Body(Guid.NewGuid(), $"m-{i}", $"at once {i}"))).ToList();
        var all = Task.WhenAll(posts);
        while (!all.IsCompleted)
        {
            var next = _model.NextReplyAsync();
            if (await Task.WhenAny(all, next) == next)
            {
                var reply = await next;
                reply.Send("fine");
                reply.Complete();
            }
        }

        var statuses = (await all).Select(r => r.StatusCode).Order().ToList();
        foreach (var response in await all)
        {
            response.Dispose();
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.Conflict], statuses);
        await Eventually.HoldsAsync(
            async () => (await v1.GetOkAsync("/v1/sessions?limit=50")).GetProperty("data").GetArrayLength() == MaxSessions,
            "the two admitted chats are listed");
    }

    private CopilotClient NewUser() => new(_app.CreateClient(), Guid.NewGuid());

    /// <summary>Starts a seed send, lets the first words arrive, and hangs up: the turn runs on with no client.</summary>
    private async Task<(Guid SessionId, GatedReply Reply)> StartAndDisconnectAsync(CopilotClient user)
    {
        using var request = user.NewRequest(HttpMethod.Post, "/api/copilot");
        request.Content = JsonContent.Create(new { message = "a long answer please", role = "field" });
        var responding = user.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reply = await _model.NextReplyAsync();
        reply.Send("partial ");
        using var response = await responding;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (Guid.Parse(response.Headers.GetValues("X-Session-Id").Single()), reply);
    }

    private async Task<CopilotClient.SendResult> SendAnsweredAsync(CopilotClient user)
    {
        var send = user.SendAsync("hello " + Guid.NewGuid());
        var reply = await _model.NextReplyAsync();
        reply.Send("fine");
        reply.Complete();
        return await send;
    }

    private static async Task<(HttpStatusCode Status, string? RetryAfter, JsonElement Body)> PostSeedAsync(
        CopilotClient user, string message, Guid? sessionId)
    {
        using var request = user.NewRequest(HttpMethod.Post, "/api/copilot");
        request.Content = JsonContent.Create(new { message, sessionId, role = "field" });
        using var response = await user.Http.SendAsync(request);
        return (response.StatusCode, response.Headers.RetryAfter?.ToString(), await CopilotClient.ReadJsonAsync(response));
    }
}
