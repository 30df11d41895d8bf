using System.Net;
using System.Net.Http.Json;
using Copilot.Tests.Fixtures;

namespace Copilot.Tests.Api;

/// <summary>Turns whose reply takes seconds (the offline model with a 1 s chunk delay), so a test can act mid-turn.</summary>
public sealed class TurnTests : IAsyncLifetime
{
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await CopilotAppFactory.StartAsync(
        settings: new Dictionary<string, string?> { ["Copilot:ChatModel:OfflineChunkDelay"] = "00:00:01" });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_second_send_while_a_reply_streams_gets_409_and_the_history_stays_in_order()
    {
        var user = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var sessionId = await StartedSessionAsync(user);

        // Start a turn and read its first chunk: from here until the reply ends, the session is busy.
        using var streaming = await OpenStreamAsync(user, "first question", sessionId);
        var stream = await streaming.Content.ReadAsStreamAsync();
        var buffer = new byte[256];
        Assert.True(await stream.ReadAsync(buffer) > 0);

        var second = await user.SendAsync("second question", sessionId);
        var rest = await new StreamReader(stream).ReadToEndAsync();

        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Contains("\"code\":\"turn_in_flight\"", second.Body, StringComparison.Ordinal);
        Assert.EndsWith($"[SESSION_ID:{sessionId}]", rest, StringComparison.Ordinal);
        var messages = await user.LoadMessagesAsync(sessionId);
        Assert.Equal(
            ["hello", OfflineReplies.For("hello", 0), "first question", OfflineReplies.For("first question", 1)],
            messages.Select(m => m.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_still_finds_the_full_reply_saved()
    {
        var user = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var sessionId = await StartedSessionAsync(user);

        using (var streaming = await OpenStreamAsync(user, "leaving early", sessionId))
        {
            var stream = await streaming.Content.ReadAsStreamAsync();
            Assert.True(await stream.ReadAsync(new byte[64]) > 0);
        }

        // The panel is gone; the grain keeps generating. Wait (bounded) for the stored reply.
        var expected = OfflineReplies.For("leaving early", 1);
        string? stored = null;
        for (var attempt = 0; attempt < 100 && stored != expected; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            var messages = await user.LoadMessagesAsync(sessionId);
            stored = messages.Length == 4 ? messages[3].GetProperty("content").GetString() : null;
        }

        Assert.Equal(expected, stored);
        var last = (await user.LoadMessagesAsync(sessionId))[3];
        Assert.Equal("complete", last.GetProperty("metadata").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_send_naming_another_role_for_an_existing_session_gets_409()
    {
        var user = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var sessionId = await StartedSessionAsync(user);

        var send = await user.SendAsync("switch persona", sessionId, role: "exec");

        Assert.Equal(HttpStatusCode.Conflict, send.Status);
        Assert.Contains("\"code\":\"role_mismatch\"", send.Body, StringComparison.Ordinal);
        Assert.Equal(2, (await user.LoadMessagesAsync(sessionId)).Length);
    }

    [Fact]
    public async Task The_reply_streams_in_several_chunks()
    {
        var user = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        using var streaming = await OpenStreamAsync(user, "stream please", null);
        var stream = await streaming.Content.ReadAsStreamAsync();

        var reads = 0;
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer) > 0)
        {
            reads++;
        }

        Assert.True(reads >= 3, $"expected the reply in several chunks, got {reads} read(s)");
    }

    private static async Task<Guid> StartedSessionAsync(CopilotClient user) => (await user.SendAsync("hello")).SessionId;

    private static async Task<HttpResponseMessage> OpenStreamAsync(CopilotClient user, string message, Guid? sessionId)
    {
        var request = user.NewRequest(HttpMethod.Post, "/api/copilot");
        request.Content = JsonContent.Create(new { message, sessionId, role = "field" });
        var response = await user.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(sessionId ?? Guid.Parse(response.Headers.GetValues("X-Session-Id").Single()), Guid.Parse(response.Headers.GetValues("X-Session-Id").Single()));
        return response;
    }
}
