using System.Net;
using System.Net.Http.Json;
using System.Text;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;

namespace Copilot.Tests.Api;

/// <summary>Turns held open by a gated model, so a test acts mid-reply at a point it chose, not after a delay.</summary>
public sealed class TurnTests(GatedAppFixture fixture) : IClassFixture<GatedAppFixture>
{
    [Fact]
    public async Task A_second_send_while_a_reply_streams_gets_409_and_the_history_stays_in_order()
    {
        var user = fixture.NewUser();
        var sessionId = (await fixture.TurnAsync(user, "hello", "hi there")).SessionId;

        // The first chunk has reached the client and the model has not finished: the session is busy.
        var (streaming, model) = await OpenStreamAsync(user, "first question", sessionId, "first part, ");
        using (streaming)
        {
            var stream = await streaming.Content.ReadAsStreamAsync();
            Assert.Equal("first part, ", await ReadExactlyAsync(stream, "first part, ".Length));

            var second = await user.SendAsync("second question", sessionId);
            model.Send("second part");
            model.Complete();
            var rest = await new StreamReader(stream).ReadToEndAsync();

            Assert.Equal(HttpStatusCode.Conflict, second.Status);
            Assert.Contains("\"code\":\"turn_in_flight\"", second.Body, StringComparison.Ordinal);
            Assert.Equal($"second part\n\n[SESSION_ID:{sessionId}]", rest);
        }

        Assert.Equal(
            ["hello", "hi there", "first question", "first part, second part"],
            (await user.LoadMessagesAsync(sessionId)).Select(m => m.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_still_finds_the_full_reply_saved()
    {
        var user = fixture.NewUser();
        var sessionId = (await fixture.TurnAsync(user, "hello", "hi there")).SessionId;

        var (streaming, model) = await OpenStreamAsync(user, "leaving early", sessionId, "before the client left, ");
        using (streaming)
        {
            var stream = await streaming.Content.ReadAsStreamAsync();
            Assert.Equal("before ", await ReadExactlyAsync(stream, "before ".Length));
        }

        // The panel is gone; the model goes on and the grain stores the whole reply.
        model.Send("and after.");
        model.Complete();
        await Eventually.HoldsAsync(
            async () => (await user.LoadMessagesAsync(sessionId)) is { Length: 4 } messages
                && messages[3].GetProperty("metadata").GetProperty("status").GetString() == "complete",
            "the reply is stored");
        Assert.Equal(
            "before the client left, and after.",
            (await user.LoadMessagesAsync(sessionId))[3].GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_send_naming_another_role_for_an_existing_session_gets_409()
    {
        var user = fixture.NewUser();
        var sessionId = (await fixture.TurnAsync(user, "hello", "hi there")).SessionId;
        var calls = fixture.Model.Calls;

        var send = await user.SendAsync("switch persona", sessionId, role: "exec");

        Assert.Equal(HttpStatusCode.Conflict, send.Status);
        Assert.Contains("\"code\":\"persona_mismatch\"", send.Body, StringComparison.Ordinal);
        Assert.Equal(2, (await user.LoadMessagesAsync(sessionId)).Length);
        Assert.Equal(calls, fixture.Model.Calls);
    }

    [Fact]
    public async Task Each_chunk_reaches_the_client_before_the_model_sends_the_next()
    {
        var user = fixture.NewUser();
        var (streaming, model) = await OpenStreamAsync(user, "stream please", null, "one ");
        using (streaming)
        {
            var stream = await streaming.Content.ReadAsStreamAsync();

            Assert.Equal("one ", await ReadExactlyAsync(stream, "one ".Length));
            model.Send("two ");
            Assert.Equal("two ", await ReadExactlyAsync(stream, "two ".Length));
            model.Send("three");
            model.Complete();
            Assert.StartsWith("three\n\n[SESSION_ID:", await new StreamReader(stream).ReadToEndAsync(), StringComparison.Ordinal);
        }
    }

    /// <summary>Posts a message, has the model send <paramref name="firstChunk"/>, and returns the streaming response
    /// (its headers arrive with the first text) with the reply still open.</summary>
    private async Task<(HttpResponseMessage Response, GatedReply Model)> OpenStreamAsync(
        CopilotClient user, string message, Guid? sessionId, string firstChunk)
    {
        var request = user.NewRequest(HttpMethod.Post, "/api/copilot");
        request.Content = JsonContent.Create(new { message, sessionId, role = "field" });
        var sending = user.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var model = await fixture.Model.NextReplyAsync();
        model.Send(firstChunk);
        var response = await sending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var header = Guid.Parse(response.Headers.GetValues("X-Session-Id").Single());
        Assert.Equal(sessionId ?? header, header);
        return (response, model);
    }

    /// <summary>Reads exactly <paramref name="bytes"/> bytes (waiting for each to arrive) as UTF-8.</summary>
    private static async Task<string> ReadExactlyAsync(Stream stream, int bytes)
    {
        var buffer = new byte[bytes];
        await stream.ReadExactlyAsync(buffer);
        return Encoding.UTF8.GetString(buffer);
    }
}
