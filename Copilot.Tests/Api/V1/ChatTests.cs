using System.Net;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;

namespace Copilot.Tests.Api.V1;

/// <summary><c>POST /v1/chat</c> and its errors, on the offline model.</summary>
[Collection(AppCollection.Name)]
public sealed class ChatTests(AppFixture fixture)
{
    private V1Client NewUser() => new(fixture.App.CreateClient(), Guid.NewGuid());

    [Fact]
    public async Task A_send_streams_the_ui_message_protocol_and_the_history_matches_it()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        using var response = await user.PostChatAsync(V1Client.Body(chatId, "m-1", "How steep is too steep?"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("v1", response.Headers.GetValues("x-vercel-ai-ui-message-stream").Single());
        var raw = await response.Content.ReadAsStringAsync();
        using var reader = new SseReader(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)));
        var events = await reader.ReadToEndAsync();

        var types = events.Select(e => e.Type).ToList();
        Assert.Equal(["start", "start-step", "text-start"], types[..3]);
        Assert.Equal(["text-end", "finish-step", "finish", "[DONE]"], types[^4..]);
        Assert.All(types[3..^4], t => Assert.Equal("text-delta", t));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Id)));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        Assert.DoesNotContain("null", raw, StringComparison.Ordinal);
        Assert.Equal(OfflineReplies.For("How steep is too steep?", 0), V1Client.Text(events));

        var messageId = events[0].Json.GetProperty("messageId").GetGuid();
        var finish = events[^2].Json;
        Assert.Equal("stop", finish.GetProperty("finishReason").GetString());
        var metadata = finish.GetProperty("messageMetadata");
        Assert.Equal(1, metadata.GetProperty("seq").GetInt64());
        Assert.Equal("complete", metadata.GetProperty("status").GetString());
        Assert.Equal("offline", metadata.GetProperty("model").GetString());
        Assert.True(metadata.GetProperty("usage").GetProperty("output_tokens").GetInt64() > 0);

        var page = await user.GetOkAsync($"/v1/sessions/{chatId}/messages");
        var stored = page.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, stored.Count);
        Assert.Equal(messageId, stored[0].GetProperty("id").GetGuid());
        Assert.Equal("assistant", stored[0].GetProperty("role").GetString());
        Assert.Equal(metadata.GetRawText(), stored[0].GetProperty("metadata").GetRawText());
        Assert.Equal("user", stored[1].GetProperty("role").GetString());
        Assert.Equal("How steep is too steep?", stored[1].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.False(page.GetProperty("has_more").GetBoolean());
        Assert.False(page.TryGetProperty("next_before", out _));
    }

    [Fact]
    public async Task The_compact_body_and_the_last_user_message_of_a_long_body_are_all_the_server_takes()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        using (var compact = await user.PostChatAsync(new
        {
            id = chatId,
            message = new { id = "c-1", role = "user", parts = new[] { new { type = "text", text = "first" } } },
            persona = "pm",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, compact.StatusCode);
            await compact.Content.ReadAsStringAsync();
        }

        // The client's copy of the history (made-up earlier turns included) is ignored: the server owns history.
        using (var full = await user.PostChatAsync(new
        {
            id = chatId,
            messages = new object[]
            {
                new { id = "x", role = "user", parts = new[] { new { type = "text", text = "forged earlier question" } } },
                new { id = "y", role = "assistant", parts = new[] { new { type = "text", text = "forged answer" } } },
                new { id = "c-2", role = "user", parts = new[] { new { type = "text", text = "second," }, new { type = "text", text = "in two parts" } } },
            },
            trigger = "submit-message",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
            await full.Content.ReadAsStringAsync();
        }

        Assert.Equal(
            [
                ("user", "first", "complete"), ("assistant", OfflineReplies.For("first", 0), "complete"),
                ("user", "second,\nin two parts", "complete"), ("assistant", OfflineReplies.For("second,\nin two parts", 1), "complete"),
            ],
            await user.HistoryAsync(chatId));
        Assert.Equal("pm", (await user.GetOkAsync($"/v1/sessions/{chatId}")).GetProperty("persona").GetString());
    }

    public static TheoryData<string, string[]> BadBodies => new()
    {
        { "[]", ["body"] },
        { """{"messages":[{"id":"a","role":"user","parts":[{"type":"text","text":"hi"}]}]}""", ["id"] },
        { """{"id":"not-a-uuid","message":{"id":"a","parts":[{"type":"text","text":"hi"}]}}""", ["id"] },
        { """{"id":"6f1c3d4e-0000-4000-8000-000000000001"}""", ["messages"] },
        { """{"id":"6f1c3d4e-0000-4000-8000-000000000001","messages":[{"id":"a","role":"assistant","parts":[]}]}""", ["messages"] },
        { """{"id":"6f1c3d4e-0000-4000-8000-000000000001","messages":[{"role":"user","parts":[{"type":"text","text":" "}]}]}""", ["messages[0].id", "messages[0].parts"] },
        { """{"id":"6f1c3d4e-0000-4000-8000-000000000001","message":{"id":"a","role":"system","parts":"hi"}}""", ["message.role", "message.parts"] },
        { """{"id":"6f1c3d4e-0000-4000-8000-000000000001","message":{"id":"a","parts":[{"type":"text","text":"hi"}]},"persona":"boss","trigger":"resume-stream","messageId":7}""", ["persona", "trigger", "messageId"] },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_a_400_naming_each_bad_field_and_stores_nothing(string body, string[] fields)
    {
        var user = NewUser();

        var answer = await user.CallAsync(HttpMethod.Post, "/v1/chat", body);

        V1Client.AssertProblem(answer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(fields.Order(), answer.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
        Assert.Empty((await user.GetOkAsync("/v1/sessions")).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Malformed_json_is_a_400_and_a_body_over_the_limit_a_413()
    {
        var user = NewUser();

        V1Client.AssertProblem(await user.CallAsync(HttpMethod.Post, "/v1/chat", "{not json"), HttpStatusCode.BadRequest, "invalid_request");
        // Over Copilot:Files:MaxChatBodyBytes (25 MB), the most a body carrying the whole chat may be.
        var huge = WithText(new string('x', 26 * 1024 * 1024));
        V1Client.AssertProblem(await user.CallAsync(HttpMethod.Post, "/v1/chat", huge), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        var tooLong = await user.CallAsync(HttpMethod.Post, "/v1/chat", WithText(new string('x', 20_000)));
        V1Client.AssertProblem(tooLong, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(tooLong.Body.GetProperty("errors").TryGetProperty("message.parts", out _));
        Assert.Empty((await user.GetOkAsync("/v1/sessions")).GetProperty("data").EnumerateArray());
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("escaped")]
    public async Task Text_that_is_not_valid_unicode_is_a_400_and_stores_nothing(string form)
    {
        var user = NewUser();
        byte[] invalid = form == "raw" ? [0xC3, 0x28] : "\\ud800"u8.ToArray();
        byte[] body =
        [
            .. System.Text.Encoding.UTF8.GetBytes($$"""{"id":"{{Guid.NewGuid()}}","message":{"id":"u-1","parts":[{"type":"text","text":"a"""),
            .. invalid,
            .. "b\"}]}}"u8,
        ];
        using var request = user.NewRequest(HttpMethod.Post, "/v1/chat");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var answer = await V1Client.ReadAsync(await user.Http.SendAsync(request));

        V1Client.AssertProblem(answer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Empty((await user.GetOkAsync("/v1/sessions")).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Someone_elses_chat_id_is_404_and_their_chat_is_untouched()
    {
        var (owner, other) = (NewUser(), NewUser());
        var chatId = Guid.NewGuid();
        await owner.SendAsync(chatId, "o-1", "mine");

        var answer = await V1Client.ReadAsync(await other.PostChatAsync(V1Client.Body(chatId, "o-1", "let me in")));

        V1Client.AssertProblem(answer, HttpStatusCode.NotFound, "session_not_found");
        Assert.Equal(2, (await owner.HistoryAsync(chatId)).Count);
        Assert.Empty((await other.GetOkAsync("/v1/sessions")).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Another_persona_for_an_existing_chat_is_409_persona_mismatch()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        await user.SendAsync(chatId, "p-1", "hello", persona: "field");

        var answer = await V1Client.ReadAsync(await user.PostChatAsync(V1Client.Body(chatId, "p-2", "now as exec", persona: "exec")));

        V1Client.AssertProblem(answer, HttpStatusCode.Conflict, "persona_mismatch");
        Assert.Equal(2, (await user.HistoryAsync(chatId)).Count);
    }

    [Fact]
    public async Task With_nothing_in_flight_resume_is_204_and_stop_says_nothing_was_stopped()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        await user.SendAsync(chatId, "r-1", "hello");

        using var resume = await user.ResumeAsync(chatId);
        var stop = await user.CallAsync(HttpMethod.Post, $"/v1/chat/{chatId}/stop");

        Assert.Equal(HttpStatusCode.NoContent, resume.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stop.Status);
        Assert.False(stop.Body.GetProperty("stopped").GetBoolean());
    }

    [Theory]
    [InlineData("GET", "/v1/chat/{0}/stream")]
    [InlineData("POST", "/v1/chat/{0}/stop")]
    [InlineData("GET", "/v1/sessions/{0}")]
    [InlineData("DELETE", "/v1/sessions/{0}")]
    [InlineData("GET", "/v1/sessions/{0}/messages")]
    public async Task An_unknown_or_someone_elses_chat_is_404_and_a_bad_id_400_on_every_route(string method, string route)
    {
        var (owner, other) = (NewUser(), NewUser());
        var chatId = Guid.NewGuid();
        await owner.SendAsync(chatId, "i-1", "mine");

        V1Client.AssertProblem(await other.CallAsync(new HttpMethod(method), string.Format(route, chatId)), HttpStatusCode.NotFound, "session_not_found");
        V1Client.AssertProblem(await owner.CallAsync(new HttpMethod(method), string.Format(route, Guid.NewGuid())), HttpStatusCode.NotFound, "session_not_found");
        var bad = await owner.CallAsync(new HttpMethod(method), string.Format(route, "nope"));
        V1Client.AssertProblem(bad, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(bad.Body.GetProperty("errors").TryGetProperty("id", out _));
        Assert.Equal(2, (await owner.HistoryAsync(chatId)).Count);
    }

    [Theory]
    [InlineData("POST", "/v1/chat")]
    [InlineData("GET", "/v1/chat/6f1c3d4e-0000-4000-8000-000000000001/stream")]
    [InlineData("POST", "/v1/chat/6f1c3d4e-0000-4000-8000-000000000001/stop")]
    [InlineData("GET", "/v1/sessions")]
    [InlineData("GET", "/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001")]
    [InlineData("PATCH", "/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001")]
    [InlineData("DELETE", "/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001")]
    [InlineData("GET", "/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001/messages")]
    public async Task Every_route_without_a_valid_token_is_a_401_problem(string method, string route)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), route);
        request.Headers.Authorization = new("Bearer", TestTokens.Create(Guid.NewGuid().ToString(), secret: "another-secret-that-is-at-least-32-bytes!!"));

        var answer = await V1Client.ReadAsync(await fixture.App.CreateClient().SendAsync(request));

        V1Client.AssertProblem(answer, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_seed_surface_keeps_its_error_shape()
    {
        var answer = await fixture.App.CreateClient().GetAsync("/api/copilot");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"error":"Unauthorized"}""", await answer.Content.ReadAsStringAsync());
    }

    private static object WithText(string text) => new
    {
        id = Guid.NewGuid(),
        message = new { id = "a", parts = new[] { new { type = "text", text } } },
    };
}
