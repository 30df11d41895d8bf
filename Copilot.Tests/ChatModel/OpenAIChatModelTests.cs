using System.Text.Json;
using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;

namespace Copilot.Tests.ChatModel;

/// <summary>The OpenAI provider as configured in production (the real OpenAI client, through ChatModelHosting),
/// against <see cref="FakeOpenAIServer"/>. The client does not retry here, so each turn makes exactly one request.</summary>
public sealed class OpenAIChatModelTests(OpenAIClusterFixture fixture) : IClassFixture<OpenAIClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;
    private readonly FakeOpenAIServer _server = fixture.Server;

    [Fact]
    public async Task The_request_carries_the_configured_model_key_sampling_settings_and_asks_for_a_stream_with_usage()
    {
        var (user, grain, token) = await NewSessionAsync(PersonaRole.Exec);

        await Turns.SendAsync(grain, user, $"{token} what is our margin on re-roofs?");

        var request = Assert.Single(_server.RequestsFor(token));
        Assert.Equal("POST", request.Method);
        Assert.Equal(FakeOpenAIServer.CompletionsPath, request.Path);
        Assert.Equal("Bearer " + OpenAIClusterFixture.ApiKey, request.Authorization);
        var body = request.Body;
        Assert.Equal(OpenAIClusterFixture.Model, body.GetProperty("model").GetString());
        Assert.Equal(0.3, body.GetProperty("temperature").GetDouble());
        Assert.Equal(OpenAIClusterFixture.MaxOutputTokens, body.GetProperty("max_completion_tokens").GetInt32());
        Assert.False(body.TryGetProperty("max_tokens", out _));
        Assert.Equal(JsonValueKind.True, body.GetProperty("stream").ValueKind);
        Assert.Equal(JsonValueKind.True, body.GetProperty("stream_options").GetProperty("include_usage").ValueKind);
    }

    [Theory]
    [InlineData(PersonaRole.Field)]
    [InlineData(PersonaRole.Pm)]
    [InlineData(PersonaRole.Exec)]
    public async Task The_first_turn_sends_the_persona_prompt_then_the_user_message_once(PersonaRole role)
    {
        var (user, grain, token) = await NewSessionAsync(role);
        var question = $"{token} how steep is too steep for shingles?";

        await Turns.SendAsync(grain, user, question);

        var request = Assert.Single(_server.RequestsFor(token));
        Assert.Equal([("system", Personas.SystemPrompt(role)), ("user", question)], request.Messages);
    }

    [Fact]
    public async Task After_eight_turns_only_the_newest_six_messages_follow_the_prompt_oldest_first()
    {
        var (user, grain, token) = await NewSessionAsync(PersonaRole.Field);
        var history = new List<(string Role, string Content)>();

        for (var turn = 1; turn <= 8; turn++)
        {
            var question = $"{token} turn {turn}";
            history.Add(("user", question));
            var done = await Turns.SendAsync(grain, user, question);
            Assert.Equal(MessageStatus.Complete, done.Status);
            history.Add(("assistant", FakeOpenAIServer.DefaultReply(question)));
        }

        var requests = _server.RequestsFor(token);
        Assert.Equal(8, requests.Count);
        var prompt = ("system", Personas.SystemPrompt(PersonaRole.Field));
        for (var turn = 1; turn <= 8; turn++)
        {
            var sentHistory = history.Take((2 * turn) - 1).TakeLast(OpenAIClusterFixture.ContextMaxMessages);
            Assert.Equal([prompt, .. sentHistory], requests[turn - 1].Messages);
        }

        // Spelled out for the last turn: the window starts at turn 5's reply; everything older is left out.
        Assert.Equal(
            [
                prompt,
                ("assistant", FakeOpenAIServer.DefaultReply($"{token} turn 5")),
                ("user", $"{token} turn 6"),
                ("assistant", FakeOpenAIServer.DefaultReply($"{token} turn 6")),
                ("user", $"{token} turn 7"),
                ("assistant", FakeOpenAIServer.DefaultReply($"{token} turn 7")),
                ("user", $"{token} turn 8"),
            ],
            requests[7].Messages);
    }

    [Fact]
    public async Task The_character_budget_keeps_the_newest_history_that_fits_and_always_the_new_message()
    {
        var (user, grain, token) = await NewSessionAsync(PersonaRole.Pm);
        string Long(int turn, int length) => $"{token} turn {turn} ".PadRight(length, 'x');

        // 600-character questions and 610-character replies: three messages (1,810 characters) fit in 2,000.
        foreach (var turn in new[] { 1, 2, 3 })
        {
            await Turns.SendAsync(grain, user, Long(turn, 600));
        }

        // A message longer than the whole budget is still sent, alone.
        await Turns.SendAsync(grain, user, Long(4, OpenAIClusterFixture.ContextBudgetChars + 500));

        var requests = _server.RequestsFor(token);
        Assert.Equal(4, requests.Count);
        var prompt = ("system", Personas.SystemPrompt(PersonaRole.Pm));
        Assert.Equal(
            [prompt, ("user", Long(2, 600)), ("assistant", FakeOpenAIServer.DefaultReply(Long(2, 600))), ("user", Long(3, 600))],
            requests[2].Messages);
        Assert.Equal([prompt, ("user", Long(4, OpenAIClusterFixture.ContextBudgetChars + 500))], requests[3].Messages);
    }

    [Fact]
    public async Task The_reply_streams_as_it_arrives_and_is_stored_with_the_reported_model_and_usage()
    {
        var (user, grain, token) = await NewSessionAsync(PersonaRole.Field);
        var reply = FakeOpenAIReply.Stream(
            ["Check ", "the flashing ", "first."], model: "some-test-model-2025-06-01", promptTokens: 42, completionTokens: 7, pauseAfter: 1);
        _server.Enqueue(token, reply);

        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = $"{token} where do leaks start?" });
        var first = await Turns.ReadMoreAsync(grain, user, started.TurnId, 0);
        reply.Release();
        var rest = await Turns.ReadToEndAsync(grain, user, started.TurnId, first.NextOffset);

        Assert.Equal("Check ", first.Text);
        Assert.False(first.Done);
        Assert.Equal("the flashing first.", string.Concat(rest.Select(r => r.Text)));
        Assert.Equal(MessageStatus.Complete, rest[^1].Status);
        Assert.Null(rest[^1].ErrorCode);

        var messages = await grain.GetAllMessagesAsync(user);
        Assert.NotNull(messages);
        Assert.Equal(2, messages.Count);
        var stored = messages[1];
        Assert.Equal(started.TurnId, stored.Id);
        Assert.Equal(MessageRole.Assistant, stored.Role);
        Assert.Equal("Check the flashing first.", stored.Content);
        Assert.Equal(MessageStatus.Complete, stored.Status);
        Assert.Equal(
            new MessageMetadata { Model = "some-test-model-2025-06-01", InputTokens = 42, OutputTokens = 7 },
            stored.Metadata);
        Assert.Equal(stored, rest[^1].Message);
    }

    [Theory]
    [InlineData(429, ErrorCodes.ModelRateLimited)]
    [InlineData(500, ErrorCodes.ModelUnavailable)]
    public async Task An_error_reply_fails_the_turn_with_its_code_and_the_next_send_works(int status, string errorCode)
    {
        var (user, grain, token) = await NewSessionAsync(PersonaRole.Pm);
        _server.Enqueue(token, status == 429 ? FakeOpenAIReply.RateLimited() : FakeOpenAIReply.ServerError());
        var failedQuestion = $"{token} schedule the crew";

        var failed = await Turns.SendAsync(grain, user, failedQuestion);

        Assert.Equal(MessageStatus.Failed, failed.Status);
        Assert.Equal(errorCode, failed.ErrorCode);
        Assert.NotNull(failed.Message);
        Assert.Equal("", failed.Message.Content);
        Assert.Equal(new MessageMetadata { Model = OpenAIClusterFixture.Model, ErrorCode = errorCode }, failed.Message.Metadata);
        Assert.Single(_server.RequestsFor(token));

        var retryQuestion = $"{token} schedule the crew, please";
        var next = await Turns.SendAsync(grain, user, retryQuestion);

        Assert.Equal(MessageStatus.Complete, next.Status);
        var requests = _server.RequestsFor(token);
        Assert.Equal(2, requests.Count);
        Assert.Equal(
            [("system", Personas.SystemPrompt(PersonaRole.Pm)), ("user", failedQuestion), ("user", retryQuestion)],
            requests[1].Messages);
        var messages = await grain.GetAllMessagesAsync(user);
        Assert.NotNull(messages);
        Assert.Equal(
            [
                (MessageRole.User, failedQuestion, MessageStatus.Complete),
                (MessageRole.Assistant, "", MessageStatus.Failed),
                (MessageRole.User, retryQuestion, MessageStatus.Complete),
                (MessageRole.Assistant, FakeOpenAIServer.DefaultReply(retryQuestion), MessageStatus.Complete),
            ],
            messages.Select(m => (m.Role, m.Content, m.Status)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stream_that_breaks_midway_stores_the_partial_reply_as_failed(bool errorEvent)
    {
        var (user, grain, token) = await NewSessionAsync(PersonaRole.Field);
        var reply = errorEvent
            ? FakeOpenAIReply.StreamThenError(["Check ", "the flashing"])
            : FakeOpenAIReply.StreamThenDisconnect(["Check ", "the flashing"]);
        _server.Enqueue(token, reply);

        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = $"{token} where do leaks start?" });
        var arrived = new List<ReplyProgress>();
        while (arrived.Sum(r => r.Text.Length) < "Check the flashing".Length)
        {
            arrived.Add(await Turns.ReadMoreAsync(grain, user, started.TurnId, arrived.Count == 0 ? 0 : arrived[^1].NextOffset));
            Assert.False(arrived[^1].Done);
        }

        reply.Release();
        var end = (await Turns.ReadToEndAsync(grain, user, started.TurnId, arrived[^1].NextOffset))[^1];

        Assert.Equal(MessageStatus.Failed, end.Status);
        Assert.Equal(ErrorCodes.ModelError, end.ErrorCode);
        var messages = await grain.GetAllMessagesAsync(user);
        Assert.NotNull(messages);
        var stored = messages[^1];
        Assert.Equal(started.TurnId, stored.Id);
        Assert.Equal("Check the flashing", stored.Content);
        Assert.Equal(MessageStatus.Failed, stored.Status);
        Assert.Equal(ErrorCodes.ModelError, stored.Metadata.ErrorCode);
        Assert.Equal(OpenAIClusterFixture.Model, stored.Metadata.Model);
    }

    private async Task<(Guid User, ISessionGrain Grain, string Token)> NewSessionAsync(PersonaRole role)
    {
        var user = Guid.NewGuid();
        var grain = _client.GetGrain<ISessionGrain>(Guid.NewGuid());
        await grain.CreateAsync(user, role);
        return (user, grain, "t" + Guid.NewGuid().ToString("N"));
    }
}
