using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Copilot.Grains.Telemetry;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Api.V1;

/// <summary>The owner's feedback on replies: set, replaced, cleared, shown in the history, kept to the owner, listed for
/// the people tuning the prompts, exported and deleted with the user, and counted without its content.</summary>
public sealed class FeedbackTests(FeedbackTests.Fixture fixture) : IClassFixture<FeedbackTests.Fixture>
{
    private const string Secret = "admin-secret-for-feedback-tests-0123456789";
    private readonly GatedChatClient _model = fixture.Model;
    private readonly CopilotAppFactory _app = fixture.App;

    [Fact]
    public async Task Feedback_is_set_replaced_and_cleared_and_the_history_shows_what_is_stored()
    {
        var user = NewUser();
        var chat = Guid.NewGuid();
        var (_, reply) = await TurnAsync(user, chat, "How do I seal a flashing?");
        var path = $"/v1/sessions/{chat}/messages/{reply}/feedback";

        var set = await user.CallAsync(HttpMethod.Put, path, new { rating = "up", reason = "great", comment = "  Clear steps.  " });
        var shown = await FeedbackInHistoryAsync(user, chat, reply);
        var shownAround = await FeedbackInHistoryAsync(user, chat, reply, $"?around={reply}");
        var shownAfter = await FeedbackInHistoryAsync(user, chat, reply, "?after=0");
        var replaced = await user.CallAsync(HttpMethod.Put, path, new { rating = "down", reason = "wrong" });
        var shownAfterReplace = await FeedbackInHistoryAsync(user, chat, reply);
        var cleared = await user.CallAsync(HttpMethod.Delete, path);
        var clearedAgain = await user.CallAsync(HttpMethod.Delete, path);

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("up", set.Body.GetProperty("rating").GetString());
        Assert.Equal("great", set.Body.GetProperty("reason").GetString());
        Assert.Equal("Clear steps.", set.Body.GetProperty("comment").GetString());
        Assert.Equal(set.Body.ToString(), shown?.ToString());
        Assert.Equal(set.Body.ToString(), shownAround?.ToString());
        Assert.Equal(set.Body.ToString(), shownAfter?.ToString());
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal(("down", "wrong"), (replaced.Body.GetProperty("rating").GetString(), replaced.Body.GetProperty("reason").GetString()));
        Assert.False(replaced.Body.TryGetProperty("comment", out _));
        Assert.Equal(replaced.Body.ToString(), shownAfterReplace?.ToString());
        Assert.Equal(HttpStatusCode.NoContent, cleared.Status);
        Assert.Equal(HttpStatusCode.NoContent, clearedAgain.Status);
        Assert.Null(await FeedbackInHistoryAsync(user, chat, reply));
        Assert.Empty(await Sql.ColumnAsync<Guid>("SELECT message_id FROM copilot_feedback WHERE session_id = @id", chat));
    }

    [Fact]
    public async Task Feedback_without_a_reason_or_comment_omits_them_as_every_optional_v1_field_is_omitted()
    {
        var user = NewUser();
        var chat = Guid.NewGuid();
        var (_, reply) = await TurnAsync(user, chat, "Is a ridge vent enough on a hip roof?");

        var set = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{reply}/feedback", new { rating = "up", comment = "   " });
        var shown = await FeedbackInHistoryAsync(user, chat, reply);

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(["rating", "updated_at"], set.Body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(set.Body.ToString(), shown?.ToString());
    }

    [Fact]
    public async Task Only_the_owner_rates_only_replies_and_a_bad_body_names_its_field()
    {
        var owner = NewUser();
        var other = NewUser();
        var chat = Guid.NewGuid();
        var (question, reply) = await TurnAsync(owner, chat, "Which underlayment for a 2:12 pitch?");
        var up = new { rating = "up" };

        var othersPut = await other.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{reply}/feedback", up);
        var othersDelete = await other.CallAsync(HttpMethod.Delete, $"/v1/sessions/{chat}/messages/{reply}/feedback");
        var unknownMessage = await owner.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{Guid.NewGuid()}/feedback", up);
        var onQuestion = await owner.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{question}/feedback", up);
        var badBody = await owner.CallAsync(
            HttpMethod.Put, $"/v1/sessions/{chat}/messages/{reply}/feedback", new { rating = "meh", reason = "boring", comment = new string('x', 1_001) });
        var nul = await owner.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{reply}/feedback", new { rating = "up", comment = "a\u0000b" });

        V1Client.AssertProblem(othersPut, HttpStatusCode.NotFound, "session_not_found");
        V1Client.AssertProblem(othersDelete, HttpStatusCode.NotFound, "session_not_found");
        V1Client.AssertProblem(unknownMessage, HttpStatusCode.NotFound, "message_not_found");
        V1Client.AssertProblem(onQuestion, HttpStatusCode.BadRequest, "not_a_reply");
        V1Client.AssertProblem(badBody, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(
            ["comment", "rating", "reason"],
            badBody.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        V1Client.AssertProblem(nul, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Null(await FeedbackInHistoryAsync(owner, chat, reply));
    }

    [Fact]
    public async Task A_reply_still_being_generated_cannot_be_rated_yet()
    {
        var user = NewUser();
        var chat = Guid.NewGuid();
        var post = user.PostChatAsync(V1Client.Body(chat, "c-1", "Is a 10-year-old roof worth repairing?"));
        var reply = await _model.NextReplyAsync();
        reply.Send("It depends ");
        using var response = await post;
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        var start = (await reader.ReadUntilAsync(e => e.Type == "start"))[^1];
        var replyId = start.Json.GetProperty("messageId").GetString();

        var whileStreaming = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{replyId}/feedback", new { rating = "up" });
        reply.Complete();
        await reader.ReadToEndAsync();
        var afterwards = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{replyId}/feedback", new { rating = "up" });

        V1Client.AssertProblem(whileStreaming, HttpStatusCode.Conflict, "turn_in_flight");
        Assert.Equal(HttpStatusCode.OK, afterwards.Status);
    }

    [Fact]
    public async Task The_admin_query_lists_the_window_with_persona_model_reply_and_question_and_no_user()
    {
        var user = NewUser();
        var chat = Guid.NewGuid();
        var (_, reply) = await TurnAsync(user, chat, "What causes ice dams?");
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var set = await user.CallAsync(
            HttpMethod.Put, $"/v1/sessions/{chat}/messages/{reply}/feedback", new { rating = "down", reason = "incomplete", comment = "No mention of ventilation" });
        var model = (await user.GetOkAsync($"/v1/sessions/{chat}/messages")).GetProperty("data")[0].GetProperty("metadata").GetProperty("model").GetString();
        var http = _app.CreateClient();

        var inWindow = await AdminCalls.SendAsync(http, HttpMethod.Get, $"/api/admin/feedback?since={Iso(before)}&until={Iso(before.AddMinutes(5))}", Secret);
        var laterWindow = await AdminCalls.SendAsync(http, HttpMethod.Get, $"/api/admin/feedback?since={Iso(before.AddMinutes(5))}", Secret);
        var badTime = await AdminCalls.SendAsync(http, HttpMethod.Get, "/api/admin/feedback?since=yesterday", Secret);
        var anonymous = await http.GetAsync("/api/admin/feedback");

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(HttpStatusCode.OK, inWindow.Status);
        var line = Assert.Single(AdminCalls.Lines(inWindow.Body), l => l.GetProperty("message_id").GetGuid() == reply);
        Assert.Equal("pm", line.GetProperty("persona").GetString());
        Assert.Equal(model, line.GetProperty("model").GetString());
        Assert.Equal("down", line.GetProperty("rating").GetString());
        Assert.Equal("incomplete", line.GetProperty("reason").GetString());
        Assert.Equal("No mention of ventilation", line.GetProperty("comment").GetString());
        Assert.Equal("Answer to What causes ice dams?", line.GetProperty("reply").GetString());
        Assert.Equal("What causes ice dams?", line.GetProperty("question").GetString());
        Assert.Equal(chat, line.GetProperty("session_id").GetGuid());
        Assert.DoesNotContain(user.UserId.ToString(), inWindow.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(reply.ToString(), laterWindow.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badTime.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_export_carries_the_feedback_and_deleting_the_user_removes_it()
    {
        var user = NewUser();
        var chat = Guid.NewGuid();
        var (_, reply) = await TurnAsync(user, chat, "Shingle or metal for a coastal home?");
        await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{reply}/feedback", new { rating = "up", comment = "useful" });
        var http = _app.CreateClient();

        var export = await AdminCalls.SendAsync(http, HttpMethod.Get, $"/api/admin/users/{user.UserId}/export", Secret);
        var deleted = await AdminCalls.SendAsync(http, HttpMethod.Delete, $"/api/admin/users/{user.UserId}", Secret);

        var line = Assert.Single(AdminCalls.Lines(export.Body), l => l.GetProperty("type").GetString() == "feedback");
        Assert.Equal((chat, reply), (line.GetProperty("session_id").GetGuid(), line.GetProperty("message_id").GetGuid()));
        Assert.Equal(("up", "useful"), (line.GetProperty("rating").GetString(), line.GetProperty("comment").GetString()));
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Empty(await Sql.ColumnAsync<Guid>("SELECT message_id FROM copilot_feedback WHERE user_id = @id", user.UserId));
    }

    [Fact]
    public async Task Feedback_is_counted_by_persona_model_rating_and_reason_and_never_by_its_comment()
    {
        var user = NewUser();
        var chat = Guid.NewGuid();
        var (_, reply) = await TurnAsync(user, chat, "Can I walk on a tile roof?");
        var comment = "metric probe " + Guid.NewGuid();
        var measured = new List<(long Value, Dictionary<string, string?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CopilotMetrics.MeterName && instrument.Name == "copilot.feedback")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (measured)
            {
                measured.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString())));
            }
        });
        listener.Start();

        var set = await user.CallAsync(HttpMethod.Put, $"/v1/sessions/{chat}/messages/{reply}/feedback", new { rating = "down", reason = "unsafe", comment });
        listener.Dispose();

        Assert.Equal(HttpStatusCode.OK, set.Status);
        var model = (await user.GetOkAsync($"/v1/sessions/{chat}/messages")).GetProperty("data")[0].GetProperty("metadata").GetProperty("model").GetString();
        var (value, tags) = Assert.Single(measured);
        Assert.Equal(1, value);
        Assert.Equal(
            new Dictionary<string, string?> { ["persona"] = "pm", ["model"] = model, ["rating"] = "down", ["reason"] = "unsafe" },
            tags);
    }

    private V1Client NewUser() => new(_app.CreateClient(), Guid.NewGuid());

    /// <summary>One turn with the gated model in the <c>pm</c> persona; the reply is "Answer to " and the question.</summary>
    private async Task<(Guid Question, Guid Reply)> TurnAsync(V1Client user, Guid chat, string text)
    {
        var post = user.PostChatAsync(V1Client.Body(chat, "c-" + Guid.NewGuid().ToString("N"), text, "pm"));
        var reply = await _model.NextReplyAsync();
        reply.Send("Answer to " + text);
        reply.Complete();
        using var response = await post;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadToEndAsync();
        var newestFirst = (await user.GetOkAsync($"/v1/sessions/{chat}/messages?limit=2")).GetProperty("data");
        return (newestFirst[1].GetProperty("id").GetGuid(), newestFirst[0].GetProperty("id").GetGuid());
    }

    /// <summary>The feedback the history shows on <paramref name="messageId"/>, read as the newest page, or opened at a
    /// message (<c>?around=</c>, a search hit) or paged newer (<c>?after=</c>) when <paramref name="query"/> says.</summary>
    private static async Task<System.Text.Json.JsonElement?> FeedbackInHistoryAsync(V1Client user, Guid chat, Guid messageId, string query = "")
    {
        var page = await user.GetOkAsync($"/v1/sessions/{chat}/messages{query}");
        var metadata = page.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == messageId).GetProperty("metadata");
        return metadata.TryGetProperty("feedback", out var feedback) ? feedback : null;
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>One app for the class, with a gated model and the admin calls enabled.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public GatedChatClient Model { get; } = new();

        public CopilotAppFactory App { get; private set; } = null!;

        public async Task InitializeAsync() =>
            App = await CopilotAppFactory.StartAsync(
                settings: new Dictionary<string, string?> { ["Copilot:Admin:CronSecret"] = Secret },
                configureServices: services => services.AddSingleton<IChatClient>(Model));

        public async Task DisposeAsync() => await App.DisposeAsync();
    }
}
