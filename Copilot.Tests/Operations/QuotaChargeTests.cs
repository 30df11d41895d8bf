using System.Globalization;
using System.Net;
using System.Text.Json;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;

namespace Copilot.Tests.Operations;

/// <summary>The daily token quota charges every turn that called the model, through the real OpenAI client against a
/// fake OpenAI server: the model's reported usage when its last chunk came, else the documented estimate, so stopping
/// replies (or having them cut at the length cap) does not get around the quota.</summary>
public sealed class QuotaChargeTests : IAsyncLifetime
{
    private const int DailyTokens = 100;
    private const int MaxReplyChars = 50;

    private FakeOpenAIServer _model = null!;
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeOpenAIServer.StartAsync();
        _app = await CopilotAppFactory.StartAsync(settings: _model.ServiceSettings(
            ("Copilot:RateLimits:DailyTokens", DailyTokens.ToString(CultureInfo.InvariantCulture)),
            ("Copilot:Sessions:MaxReplyChars", MaxReplyChars.ToString(CultureInfo.InvariantCulture))));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Fact]
    public async Task A_stopped_reply_is_charged_its_estimated_usage_and_uses_up_the_quota()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var token = "stop-" + Guid.NewGuid().ToString("N");
        _model.Enqueue(token, FakeOpenAIReply.Stream(["Check the drains ", "and the flashing."], pauseAfter: 1));

        using var response = await user.PostChatAsync(V1Client.Body(chatId, "m-1", LongQuestion(token)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadUntilAsync(e => e.Type == "text-delta");
        var stop = await user.CallAsync(HttpMethod.Post, $"/v1/chat/{chatId}/stop");
        var finish = (await reader.ReadToEndAsync()).Single(e => e.Type == "finish");

        Assert.True(stop.Body.GetProperty("stopped").GetBoolean());
        var metadata = finish.Json.GetProperty("messageMetadata");
        Assert.Equal("stopped", metadata.GetProperty("status").GetString());
        AssertUsage(metadata, ExpectedInput(Assert.Single(_model.RequestsFor(token))), TokensOf("Check the drains ".Length), estimated: true);
        AssertUsage(await StoredReplyMetadataAsync(user, chatId), ExpectedInput(_model.RequestsFor(token)[0]), TokensOf("Check the drains ".Length), estimated: true);
        var seedReply = (await user.GetOkAsync($"/api/copilot?sessionId={chatId}")).GetProperty("messages")[1].GetProperty("metadata");
        Assert.Equal(
            (ExpectedInput(_model.RequestsFor(token)[0]), TokensOf("Check the drains ".Length), true),
            (seedReply.GetProperty("input_tokens").GetInt64(), seedReply.GetProperty("output_tokens").GetInt64(), seedReply.GetProperty("usage_estimated").GetBoolean()));
        await AssertQuotaExceededAsync(user);
    }

    [Fact]
    public async Task A_reply_cut_at_the_length_cap_is_charged_for_all_the_text_received_and_uses_up_the_quota()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        var token = "cap-" + Guid.NewGuid().ToString("N");
        string[] chunks = [new('a', 30), new('b', 30), new('c', 30)];
        _model.Enqueue(token, FakeOpenAIReply.Stream(chunks, promptTokens: 1, completionTokens: 1));

        var events = await user.SendAsync(chatId, "m-1", LongQuestion(token));

        var metadata = events.Single(e => e.Type == "finish").Json.GetProperty("messageMetadata");
        Assert.Equal("complete", metadata.GetProperty("status").GetString());
        Assert.Equal(MaxReplyChars, V1Client.Text(events).Length);
        AssertUsage(metadata, ExpectedInput(Assert.Single(_model.RequestsFor(token))), TokensOf(60), estimated: true);
        await AssertQuotaExceededAsync(user);
    }

    [Fact]
    public async Task A_complete_reply_is_charged_exactly_the_usage_the_model_reported()
    {
        var user = NewUser();
        var first = "exact-" + Guid.NewGuid().ToString("N");
        var second = "exact-" + Guid.NewGuid().ToString("N");
        _model.Enqueue(first, FakeOpenAIReply.Stream(["Short answer."], promptTokens: 60, completionTokens: DailyTokens - 61));
        _model.Enqueue(second, FakeOpenAIReply.Stream(["Another."], promptTokens: 1, completionTokens: 0));
        var chatId = Guid.NewGuid();

        // 99 tokens of 100: a further send is admitted, so nothing was charged beyond the model's report.
        var events = await user.SendAsync(chatId, "m-1", "A question. " + first);
        AssertUsage(events.Single(e => e.Type == "finish").Json.GetProperty("messageMetadata"), 60, DailyTokens - 61, estimated: false);
        await user.SendAsync(chatId, "m-2", "One more. " + second);

        AssertUsage(await StoredReplyMetadataAsync(user, chatId), 1, 0, estimated: false);
        await AssertQuotaExceededAsync(user);
    }

    private V1Client NewUser() => new(_app.CreateClient(), Guid.NewGuid());

    /// <summary>A question of 400 characters naming <paramref name="token"/>: its input alone is estimated at more than
    /// the quota, whatever the persona's prompt.</summary>
    private static string LongQuestion(string token) => ("How do I inspect a roof? " + token + " ").PadRight(4 * DailyTokens, '?');

    /// <summary>The documented estimate of a request's input: its messages' characters / 4, rounded up, plus 4 a message.</summary>
    private static long ExpectedInput(FakeOpenAIRequest request) =>
        TokensOf(request.Messages.Sum(m => m.Content.Length)) + (4L * request.Messages.Count);

    private static long TokensOf(long chars) => (chars + 3) / 4;

    private static void AssertUsage(JsonElement metadata, long input, long output, bool estimated)
    {
        var usage = metadata.GetProperty("usage");
        Assert.Equal(input, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(output, usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(estimated, usage.TryGetProperty("estimated", out var flag) && flag.GetBoolean());
    }

    /// <summary>The metadata of the newest reply in the session's history.</summary>
    private static async Task<JsonElement> StoredReplyMetadataAsync(V1Client user, Guid chatId)
    {
        var page = await user.GetOkAsync($"/v1/sessions/{chatId}/messages?limit=1");
        var newest = page.GetProperty("data")[0];
        Assert.Equal("assistant", newest.GetProperty("role").GetString());
        return newest.GetProperty("metadata");
    }

    /// <summary>A new chat is refused: the user's tokens of today reached the quota. Nothing is queued for it, so it
    /// would get a normal reply if it were admitted.</summary>
    private static async Task AssertQuotaExceededAsync(V1Client user)
    {
        using var refused = await user.PostChatAsync(V1Client.Body(Guid.NewGuid(), "m-over", "over the quota?"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        V1Client.AssertProblem(await V1Client.ReadAsync(refused), HttpStatusCode.TooManyRequests, "quota_exceeded");
    }
}
