using System.Net;
using System.Text.Json;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Api.V1;

/// <summary>Regenerate, edit, retry and branch switching on <c>/v1</c>, with a model that numbers its replies
/// ("reply 1", "reply 2", ...) and keeps what it was sent.</summary>
public sealed class BranchTests : IAsyncLifetime
{
    private readonly GatedChatClient _model = new();
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await StartAppAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Regenerate_calls_the_model_again_and_stores_a_new_version_of_the_reply_by_either_id()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var (first, _) = await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "question")));
        var (again, input) = await SendAsync(user, Body(chatId, "regenerate-message", ("k-1", "user", "question")));
        var stored = await PathAsync(user, chatId);
        var userId = stored[0].GetProperty("id").GetGuid();

        // A chat loaded from the history names the question by its stored id.
        var (third, _) = await SendAsync(user, Body(chatId, "regenerate-message", (userId.ToString(), "user", "question")));
        var path = await PathAsync(user, chatId);

        Assert.Equal("reply 1", V1Client.Text(first));
        Assert.Equal("reply 2", V1Client.Text(again));
        Assert.Equal("reply 3", V1Client.Text(third));
        Assert.Equal(3, _model.Calls);
        Assert.Equal(["question"], input.Where(m => m.Role != ChatRole.System).Select(m => m.Text));
        var ids = new[] { first, again, third }.Select(MessageId).ToList();
        var finish = Metadata(third);
        Assert.Equal(ids, finish.GetProperty("versions").EnumerateArray().Select(v => v.GetGuid()));
        Assert.Equal(2, finish.GetProperty("version_index").GetInt32());
        Assert.Equal(userId, finish.GetProperty("parent_id").GetGuid());
        Assert.Equal([("user", "question"), ("assistant", "reply 3")], Texts(path));
        Assert.Equal(JsonValueKind.Null, path[0].GetProperty("metadata").GetProperty("parent_id").ValueKind);
        Assert.Equal("k-1", path[0].GetProperty("metadata").GetProperty("client_message_id").GetString());
        Assert.False(path[0].GetProperty("metadata").TryGetProperty("versions", out _));
        Assert.Equal(ids, path[1].GetProperty("metadata").GetProperty("versions").EnumerateArray().Select(v => v.GetGuid()));
        Assert.Equal(2, path[1].GetProperty("metadata").GetProperty("version_index").GetInt32());
    }

    [Fact]
    public async Task An_edit_stores_a_new_version_the_model_sees_alone_and_the_same_text_again_is_a_retry()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var (r1, _) = await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "first question")));
        var (r2, _) = await SendAsync(user, Body(
            chatId, "submit-message", ("k-1", "user", "first question"), (MessageId(r1).ToString(), "assistant", "reply 1"), ("k-2", "user", "second")));

        // sendMessage({ text, messageId }) on the first message: that message alone, same id, new text.
        var (edited, input) = await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "first question, edited")));
        using var retry = await user.PostChatAsync(Body(chatId, "submit-message", ("k-1", "user", "first question, edited")));
        using var retryReader = new SseReader(await retry.Content.ReadAsStreamAsync());
        var replayed = await retryReader.ReadToEndAsync();
        var path = await PathAsync(user, chatId);

        Assert.Equal(["first question, edited"], input.Where(m => m.Role != ChatRole.System).Select(m => m.Text));
        Assert.Equal("reply 3", V1Client.Text(edited));
        Assert.Equal("reply 3", V1Client.Text(replayed));
        Assert.Equal(MessageId(edited), MessageId(replayed));
        Assert.Equal(3, _model.Calls);
        Assert.Equal([("user", "first question, edited"), ("assistant", "reply 3")], Texts(path));
        var versions = path[0].GetProperty("metadata").GetProperty("versions").EnumerateArray().Select(v => v.GetGuid()).ToList();
        Assert.Equal(2, versions.Count);
        Assert.Equal(path[0].GetProperty("id").GetGuid(), versions[1]);
        Assert.Equal(1, path[0].GetProperty("metadata").GetProperty("version_index").GetInt32());
        Assert.Equal("reply 2", V1Client.Text(r2));
    }

    [Fact]
    public async Task Switching_makes_the_newest_path_below_a_message_active_and_pages_follow_the_cursor()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var (r1, _) = await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "one")));
        await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "one"), (MessageId(r1).ToString(), "assistant", "reply 1"), ("k-2", "user", "two")));
        var old = await PathAsync(user, chatId);
        var (r3, _) = await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "one, edited")));

        // Back to the first version by its stored id: below it, the newest path (one, reply 1, two, reply 2).
        var switched = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chatId}/active", new { message_id = old[0].GetProperty("id").GetString() });
        var afterSwitch = await PathAsync(user, chatId);
        var page = await user.GetOkAsync($"/v1/sessions/{chatId}/messages?limit=2");
        var byClientId = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chatId}/active", new { message_id = "k-1" });
        var older = await user.GetOkAsync($"/v1/sessions/{chatId}/messages?limit=2&before={page.GetProperty("next_before").GetInt64()}");
        var (continued, input) = await SendAsync(user, Body(chatId, "submit-message", ("k-3", "user", "three")));

        Assert.Equal(HttpStatusCode.OK, switched.Status);
        Assert.Equal(old[^1].GetProperty("id").GetGuid(), switched.Body.GetProperty("active_leaf_id").GetGuid());
        Assert.Equal([("user", "one"), ("assistant", "reply 1"), ("user", "two"), ("assistant", "reply 2")], Texts(afterSwitch));
        Assert.Equal(0, afterSwitch[0].GetProperty("metadata").GetProperty("version_index").GetInt32());
        Assert.True(page.GetProperty("has_more").GetBoolean());

        // k-1 names the newest version carrying the client's id: the edited one.
        Assert.Equal(MessageId(r3), byClientId.Body.GetProperty("active_leaf_id").GetGuid());

        // The cursor names the oldest message of the page before: the next page holds its ancestors, a switch or not.
        Assert.Equal(["reply 1", "one"], older.GetProperty("data").EnumerateArray().Select(TextOf));
        Assert.Equal(["one, edited", "reply 3", "three"], input.Where(m => m.Role != ChatRole.System).Select(m => m.Text));
        Assert.Equal([("user", "one, edited"), ("assistant", "reply 3"), ("user", "three"), ("assistant", "reply 4")], Texts(await PathAsync(user, chatId)));
        Assert.Equal("reply 4", V1Client.Text(continued));
    }

    [Fact]
    public async Task Switching_answers_404_for_an_unknown_message_or_someone_elses_session_and_409_while_a_reply_runs()
    {
        var user = NewUser();
        var intruder = NewUser();
        var chatId = Guid.NewGuid();
        var (r1, _) = await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "one")));

        var unknown = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chatId}/active", new { message_id = "nope" });
        var foreign = await intruder.CallAsync(HttpMethod.Put, $"/v1/sessions/{chatId}/active", new { message_id = MessageId(r1).ToString() });
        var missing = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chatId}/active", new { });
        var post = user.PostChatAsync(Body(chatId, "regenerate-message", ("k-1", "user", "one")));
        var reply = await _model.NextReplyAsync();
        var running = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chatId}/active", new { message_id = "k-1" });
        reply.Send("late");
        reply.Complete();
        using (var response = await post)
        {
            using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
            await reader.ReadToEndAsync();
        }

        V1Client.AssertProblem(unknown, HttpStatusCode.NotFound, "message_not_found");
        V1Client.AssertProblem(foreign, HttpStatusCode.NotFound, "session_not_found");
        V1Client.AssertProblem(missing, HttpStatusCode.BadRequest, "invalid_request");
        V1Client.AssertProblem(running, HttpStatusCode.Conflict, "turn_in_flight");
        Assert.Equal([("user", "one"), ("assistant", "late")], Texts(await PathAsync(user, chatId)));
    }

    [Fact]
    public async Task A_retry_after_a_failed_reply_calls_the_model_again()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var post = user.PostChatAsync(Body(chatId, "submit-message", ("k-1", "user", "question")));
        (await _model.NextReplyAsync()).Fail(new HttpRequestException("down", null, HttpStatusCode.BadGateway));
        var failed = await V1Client.ReadAsync(await post);

        var (retried, _) = await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "question")));

        Assert.Equal(HttpStatusCode.BadGateway, failed.Status);
        Assert.Equal("reply 2", V1Client.Text(retried));
        Assert.Equal(2, _model.Calls);
        var path = await PathAsync(user, chatId);
        Assert.Equal([("user", "question"), ("assistant", "reply 2")], Texts(path));
        Assert.Equal(2, path[1].GetProperty("metadata").GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task A_branched_conversation_survives_a_restart_and_the_seed_surface_and_export_follow_it()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var (r1, _) = await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "one")));
        await SendAsync(user, Body(chatId, "regenerate-message", ("k-1", "user", "one")));
        await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "one, edited")));
        var switched = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chatId}/active", new { message_id = MessageId(r1).ToString() });
        var before = await PathAsync(user, chatId);

        await _app.DisposeAsync();
        _app = await StartAppAsync(_app.ServiceId);
        user = new V1Client(_app.CreateClient(), user.UserId);
        var after = await PathAsync(user, chatId);
        var (continued, input) = await SendAsync(user, Body(chatId, "submit-message", ("k-2", "user", "two")));
        var seed = await user.GetOkAsync($"/api/copilot?sessionId={chatId}");

        Assert.Equal(HttpStatusCode.OK, switched.Status);
        Assert.Equal([("user", "one"), ("assistant", "reply 1")], Texts(after));
        Assert.Equal(before.Select(m => m.GetRawText()), after.Select(m => m.GetRawText()));
        Assert.Equal(["one", "reply 1", "two"], input.Where(m => m.Role != ChatRole.System).Select(m => m.Text));
        Assert.Equal("reply 4", V1Client.Text(continued));
        Assert.Equal(["one", "reply 1", "two", "reply 4"], seed.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task In_a_chat_loaded_from_the_history_the_version_shown_is_the_one_regenerated_retried_or_edited()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        await SendAsync(user, Body(chatId, "submit-message", ("k-1", "user", "original")));
        var question = (await PathAsync(user, chatId))[0].GetProperty("id").GetString()!;

        // Loaded from the history, the chat names its question by the stored id: an edit of it carries that id too.
        await SendAsync(user, Body(chatId, "submit-message", (question, "user", "edited")));
        List<SseEvent> retriedEdit;
        using (var retry = await user.PostChatAsync(Body(chatId, "submit-message", (question, "user", "edited"))))
        {
            using var reader = new SseReader(await retry.Content.ReadAsStreamAsync());
            retriedEdit = await reader.ReadToEndAsync();
        }

        var callsAfterEdit = _model.Calls;
        var switched = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chatId}/active", new { message_id = question });
        var (_, regenerateInput) = await SendAsync(user, Body(chatId, "regenerate-message", (question, "user", "original")));
        var afterRegenerate = await PathAsync(user, chatId);
        var (_, editInput) = await SendAsync(user, Body(chatId, "submit-message", (question, "user", "edited again")));

        Assert.Equal("reply 2", V1Client.Text(retriedEdit));
        Assert.Equal(2, callsAfterEdit);
        Assert.Equal(HttpStatusCode.OK, switched.Status);
        Assert.Equal(["original"], regenerateInput.Where(m => m.Role != ChatRole.System).Select(m => m.Text));
        Assert.Equal([("user", "original"), ("assistant", "reply 3")], Texts(afterRegenerate));
        Assert.Equal(2, afterRegenerate[1].GetProperty("metadata").GetProperty("versions").GetArrayLength());
        Assert.Equal(["edited again"], editInput.Where(m => m.Role != ChatRole.System).Select(m => m.Text));
        Assert.Equal(3, (await PathAsync(user, chatId))[0].GetProperty("metadata").GetProperty("versions").GetArrayLength());
    }

    private static object Body(Guid chatId, string trigger, params (string Id, string Role, string Text)[] messages) => new
    {
        id = chatId,
        messages = messages.Select(m => new { id = m.Id, role = m.Role, parts = new[] { new { type = "text", text = m.Text } } }),
        trigger,
    };

    private static Guid MessageId(List<SseEvent> events) => events[0].Json.GetProperty("messageId").GetGuid();

    private static JsonElement Metadata(List<SseEvent> events) =>
        events.Single(e => !e.IsDone && e.Type == "finish").Json.GetProperty("messageMetadata");

    private static string TextOf(JsonElement message) =>
        string.Concat(message.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("text").GetString()));

    private static List<(string Role, string Text)> Texts(List<JsonElement> path) =>
        [.. path.Select(m => (m.GetProperty("role").GetString()!, TextOf(m)))];

    /// <summary>The active path, oldest first, as the messages route returns it.</summary>
    private static async Task<List<JsonElement>> PathAsync(V1Client user, Guid chatId) =>
        [.. (await user.GetOkAsync($"/v1/sessions/{chatId}/messages?limit=100")).GetProperty("data").EnumerateArray().Reverse()];

    private Task<CopilotAppFactory> StartAppAsync(string? serviceId = null) => CopilotAppFactory.StartAsync(
        serviceId, configureServices: services => services.AddSingleton<IChatClient>(_model));

    private V1Client NewUser() => new(_app.CreateClient(), Guid.NewGuid());

    /// <summary>Posts <paramref name="body"/>, has the model answer "reply N" (its Nth call), and reads the whole stream.</summary>
    private async Task<(List<SseEvent> Events, IReadOnlyList<ChatMessage> Input)> SendAsync(V1Client user, object body)
    {
        var post = user.PostChatAsync(body);
        var reply = await _model.NextReplyAsync();
        reply.Send($"reply {_model.Calls}");
        reply.Complete();
        using var response = await post;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        return (await reader.ReadToEndAsync(), reply.Input);
    }
}
