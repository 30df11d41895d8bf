using System.Net;
using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Copilot.Tests.Expiry;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.Api.V1;

/// <summary>Moments inside a reply (retry, stop, resume, failure, delete), with the model released chunk by chunk.</summary>
/// <remarks>The tests share one app and its gated model (<see cref="GatedAppFixture"/>); each takes the replies it asked for.</remarks>
public sealed class GatedChatTests(GatedAppFixture fixture) : IClassFixture<GatedAppFixture>
{
    private readonly GatedChatClient _model = fixture.Model;
    private readonly CopilotAppFactory _app = fixture.App;

    [Fact]
    public async Task A_retry_with_the_same_message_id_gets_the_same_reply_and_never_calls_the_model_again()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var callsBefore = _model.Calls;
        var (first, reply) = await StartAsync(user, chatId, "k-1", "Hello ");
        using var firstReader = new SseReader(await first.Content.ReadAsStreamAsync());
        await firstReader.ReadUntilAsync(e => e.Type == "text-delta");

        // A double click while the reply streams: the same turn, replayed from its start.
        using var retry = await user.PostChatAsync(V1Client.Body(chatId, "k-1", "question"));
        using var retryReader = new SseReader(await retry.Content.ReadAsStreamAsync());
        var retryStart = await retryReader.ReadUntilAsync(e => e.Type == "text-delta");
        var different = await V1Client.ReadAsync(await user.PostChatAsync(V1Client.Body(chatId, "k-2", "another question")));
        reply.Send("world");
        reply.Complete();
        var firstRest = await firstReader.ReadToEndAsync();
        var retryRest = await retryReader.ReadToEndAsync();
        var afterwards = await user.SendAsync(chatId, "k-1", "question");

        V1Client.AssertProblem(different, HttpStatusCode.Conflict, "turn_in_flight");
        Assert.Equal("Hello ", V1Client.Text(retryStart));
        Assert.Equal("world", V1Client.Text(firstRest));
        Assert.Equal("Hello world", V1Client.Text([.. retryStart, .. retryRest]));
        Assert.Equal("Hello world", V1Client.Text(afterwards));
        Assert.Equal(retryStart[0].Json.GetProperty("messageId").GetGuid(), afterwards[0].Json.GetProperty("messageId").GetGuid());
        Assert.Equal("[DONE]", afterwards[^1].Type);
        Assert.Equal(callsBefore + 1, _model.Calls);
        Assert.Equal([("user", "question", "complete"), ("assistant", "Hello world", "complete")], await user.HistoryAsync(chatId));
    }

    [Fact]
    public async Task Stop_stores_what_was_written_as_stopped_and_ends_the_stream()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var (response, reply) = await StartAsync(user, chatId, "s-1", "Partial answer ");
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadUntilAsync(e => e.Type == "text-delta");

        var stop = await user.CallAsync(HttpMethod.Post, $"/v1/chat/{chatId}/stop");
        var rest = await reader.ReadToEndAsync();
        var again = await user.CallAsync(HttpMethod.Post, $"/v1/chat/{chatId}/stop");

        Assert.True(stop.Body.GetProperty("stopped").GetBoolean());
        Assert.True(reply.Cancelled.IsCompleted);
        Assert.False(again.Body.GetProperty("stopped").GetBoolean());
        Assert.Equal(["text-end", "finish-step", "finish", "[DONE]"], rest.Select(e => e.Type));
        Assert.Equal("other", rest[2].Json.GetProperty("finishReason").GetString());
        Assert.Equal("stopped", rest[2].Json.GetProperty("messageMetadata").GetProperty("status").GetString());
        Assert.Equal([("user", "question", "complete"), ("assistant", "Partial answer ", "stopped")], await user.HistoryAsync(chatId));
    }

    [Fact]
    public async Task Resume_replays_the_reply_from_its_start_or_after_the_last_event_id_then_follows_it_live()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var (response, reply) = await StartAsync(user, chatId, "r-1", "one ");
        using var original = new SseReader(await response.Content.ReadAsStreamAsync());
        var seen = await original.ReadUntilAsync(e => e.Type == "text-delta");

        using var replay = await user.ResumeAsync(chatId);
        using var replayReader = new SseReader(await replay.Content.ReadAsStreamAsync());
        var replayed = await replayReader.ReadUntilAsync(e => e.Type == "text-delta");
        using var after = await user.ResumeAsync(chatId, seen[^1].Id);
        using var afterReader = new SseReader(await after.Content.ReadAsStreamAsync());
        var badId = await V1Client.ReadAsync(await user.ResumeAsync(chatId, "not-an-event-id"));
        reply.Send("two");
        reply.Complete();
        var originalRest = await original.ReadToEndAsync();
        var replayRest = await replayReader.ReadToEndAsync();
        var afterEvents = await afterReader.ReadToEndAsync();

        Assert.Equal("v1", replay.Headers.GetValues("x-vercel-ai-ui-message-stream").Single());
        Assert.Equal(seen.Select(e => (e.Id, e.Data)), replayed.Select(e => (e.Id, e.Data)));
        Assert.Equal(originalRest.Select(e => (e.Id, e.Data)), replayRest.Select(e => (e.Id, e.Data)));
        Assert.Equal(originalRest.Select(e => (e.Id, e.Data)), afterEvents.Select(e => (e.Id, e.Data)));
        Assert.Equal(["text-delta", "text-end", "finish-step", "finish", "[DONE]"], afterEvents.Select(e => e.Type));
        Assert.Equal("two", V1Client.Text(afterEvents));
        V1Client.AssertProblem(badId, HttpStatusCode.BadRequest, "invalid_request");
        using var finished = await user.ResumeAsync(chatId);
        Assert.Equal(HttpStatusCode.NoContent, finished.StatusCode);
    }

    [Fact]
    public async Task A_model_failure_before_the_first_chunk_is_a_502_problem()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var post = user.PostChatAsync(V1Client.Body(chatId, "f-1", "question"));
        (await _model.NextReplyAsync()).Fail(new ChatModelException(ErrorCodes.ModelUnavailable, "The provider answered 503."));

        var answer = await V1Client.ReadAsync(await post);

        V1Client.AssertProblem(answer, HttpStatusCode.BadGateway, ErrorCodes.ModelUnavailable);
        Assert.Equal([("user", "question", "complete"), ("assistant", "", "failed")], await user.HistoryAsync(chatId));
    }

    [Fact]
    public async Task A_model_failure_mid_reply_sends_an_error_chunk_before_finish()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var (response, reply) = await StartAsync(user, chatId, "f-2", "Half an ");
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadUntilAsync(e => e.Type == "text-delta");

        reply.Fail(new ChatModelException(ErrorCodes.ModelRateLimited, "The provider answered 429."));
        var rest = await reader.ReadToEndAsync();

        Assert.Equal(["text-end", "finish-step", "error", "finish", "[DONE]"], rest.Select(e => e.Type));
        Assert.Contains(ErrorCodes.ModelRateLimited, rest[2].Json.GetProperty("errorText").GetString(), StringComparison.Ordinal);
        var finish = rest[3].Json;
        Assert.Equal("error", finish.GetProperty("finishReason").GetString());
        Assert.Equal("failed", finish.GetProperty("messageMetadata").GetProperty("status").GetString());
        Assert.Equal(ErrorCodes.ModelRateLimited, finish.GetProperty("messageMetadata").GetProperty("error_code").GetString());
        Assert.Equal([("user", "question", "complete"), ("assistant", "Half an ", "failed")], await user.HistoryAsync(chatId));
    }

    [Fact]
    public async Task Rename_mid_reply_works_and_delete_mid_reply_stops_it_and_leaves_no_rows_in_sql()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var (response, reply) = await StartAsync(user, chatId, "d-1", "Some text ");
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadUntilAsync(e => e.Type == "text-delta");
        var probe = new SessionProbe(_app, new CopilotClient(_app.CreateClient(), user.UserId), chatId);
        Assert.Equal(1, await Sql.SessionRowCountAsync(chatId));
        Assert.Equal(1, await probe.ReminderRowsAsync());

        var rename = await user.CallAsync(HttpMethod.Patch, $"/v1/sessions/{chatId}", new { title = "busy" });
        var delete = await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chatId}");

        Assert.Equal(HttpStatusCode.OK, rename.Status);
        Assert.Equal("busy", rename.Body.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NoContent, delete.Status);
        Assert.True(reply.Cancelled.IsCompleted);
        Assert.Equal(0, await Sql.SessionRowCountAsync(chatId));
        Assert.Equal(0, await probe.ReminderRowsAsync());
        Assert.Equal([0L], await Sql.ColumnAsync<long>("SELECT count(*) FROM copilot_messages WHERE session_id = @id", chatId));
        V1Client.AssertProblem(await user.CallAsync(HttpMethod.Get, $"/v1/sessions/{chatId}"), HttpStatusCode.NotFound, "session_not_found");
        V1Client.AssertProblem(await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chatId}"), HttpStatusCode.NotFound, "session_not_found");
        Assert.DoesNotContain(
            chatId,
            (await user.GetOkAsync("/v1/sessions")).GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
    }

    private V1Client NewUser() => new(_app.CreateClient(), Guid.NewGuid());

    /// <summary>Sends "question" and releases <paramref name="firstChunk"/>: the response has started, the reply runs on.</summary>
    private async Task<(HttpResponseMessage Response, GatedReply Reply)> StartAsync(
        V1Client user, Guid chatId, string messageId, string firstChunk)
    {
        var post = user.PostChatAsync(V1Client.Body(chatId, messageId, "question"));
        var reply = await _model.NextReplyAsync();
        reply.Send(firstChunk);
        var response = await post;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, reply);
    }
}
