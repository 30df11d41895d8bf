using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Turns;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.ChatModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Copilot.Tests.Sessions;

public sealed class ReplyGeneratorTests
{
    private readonly GatedChatClient _model = new();

    [Fact]
    public async Task A_streamed_reply_lands_in_the_turn_and_ends_complete_with_its_usage()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000);
        var generation = Generator().GenerateAsync(turn, [new ChatMessage(ChatRole.User, "hi")], Guid.NewGuid());
        var reply = await _model.NextReplyAsync();
        reply.Send("Hello ");
        reply.Send("there");
        reply.Complete(new UsageDetails { InputTokenCount = 3, OutputTokenCount = 2 });

        var outcome = await generation;
        Assert.Equal("Hello there", turn.Text);
        Assert.Equal(MessageStatus.Complete, outcome.Status);
        Assert.Equal(("gated", 3L, 2L, (string?)null), (outcome.Metadata.Model, outcome.Metadata.InputTokens, outcome.Metadata.OutputTokens, outcome.Metadata.ErrorCode));
        Assert.Null(outcome.Metadata.UsageEstimated);
    }

    [Fact]
    public async Task A_stopped_reply_is_charged_an_estimate_of_its_input_and_of_the_text_received()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), 1000);
        ChatMessage[] input = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "How do I inspect a flat roof?")];
        var generation = Generator().GenerateAsync(turn, input, Guid.NewGuid());
        var reply = await _model.NextReplyAsync();
        reply.Send("Walk the ");
        reply.Send("drains first");
        await Eventually.HoldsAsync(() => Task.FromResult(turn.Text.Length == 21), "the text arrives");
        turn.Cancel(MessageStatus.Stopped);

        var outcome = await generation;

        // (9 + 29 characters) / 4, rounded up, plus 4 a message; 21 characters / 4, rounded up.
        Assert.Equal((MessageStatus.Stopped, 10L + 8L, 6L, (bool?)true), (outcome.Status, outcome.Metadata.InputTokens, outcome.Metadata.OutputTokens, outcome.Metadata.UsageEstimated));
    }

    [Fact]
    public async Task A_request_the_provider_refused_is_not_charged_but_one_that_timed_out_is_charged_its_input()
    {
        ChatMessage[] input = [new(ChatRole.User, "12345678")];
        using var refused = new ActiveTurn(Guid.NewGuid(), 1000);
        var refusal = Generator().GenerateAsync(refused, input, Guid.NewGuid());
        (await _model.NextReplyAsync()).Fail(new ChatModelException(ErrorCodes.ModelRateLimited, "429"));
        var notCharged = await refusal;

        using var silent = new ActiveTurn(Guid.NewGuid(), 1000);
        var timedOut = await Generator(TimeSpan.FromMilliseconds(50)).GenerateAsync(silent, input, Guid.NewGuid());

        Assert.Equal((ErrorCodes.ModelRateLimited, (long?)null, (long?)null, (bool?)null), (notCharged.Metadata.ErrorCode, notCharged.Metadata.InputTokens, notCharged.Metadata.OutputTokens, notCharged.Metadata.UsageEstimated));
        Assert.Equal((ErrorCodes.ModelTimeout, (long?)(2 + 4), (long?)0, (bool?)true), (timedOut.Metadata.ErrorCode, timedOut.Metadata.InputTokens, timedOut.Metadata.OutputTokens, timedOut.Metadata.UsageEstimated));
    }

    [Fact]
    public async Task A_failure_after_text_arrived_is_charged_even_when_its_code_would_be_a_refusal()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), 1000);
        var generation = Generator().GenerateAsync(turn, [new ChatMessage(ChatRole.User, "hi")], Guid.NewGuid());
        var reply = await _model.NextReplyAsync();
        reply.Send("partial");
        reply.Fail(new ChatModelException(ErrorCodes.ModelUnavailable, "down"));

        var outcome = await generation;

        Assert.Equal((1L + 4L, 2L, (bool?)true), (outcome.Metadata.InputTokens, outcome.Metadata.OutputTokens, outcome.Metadata.UsageEstimated));
    }

    [Fact]
    public async Task A_model_failure_becomes_failed_with_its_code_and_keeps_what_arrived()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), 1000);
        var generation = Generator().GenerateAsync(turn, [], Guid.NewGuid());
        var reply = await _model.NextReplyAsync();
        reply.Send("partial");
        reply.Fail(new ChatModelException(ErrorCodes.ModelUnavailable, "down"));

        var outcome = await generation;
        Assert.Equal((MessageStatus.Failed, ErrorCodes.ModelUnavailable), (outcome.Status, outcome.Metadata.ErrorCode));
        Assert.Equal("partial", turn.Text);

        using var other = new ActiveTurn(Guid.NewGuid(), 1000);
        var second = Generator().GenerateAsync(other, [], Guid.NewGuid());
        (await _model.NextReplyAsync()).Fail(new InvalidOperationException("bug"));
        Assert.Equal((MessageStatus.Failed, ErrorCodes.ModelError), ((await second).Status, (await second).Metadata.ErrorCode));
    }

    [Fact]
    public async Task A_stop_ends_the_reply_as_stopped_and_a_silent_model_times_out()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), 1000);
        var generation = Generator().GenerateAsync(turn, [], Guid.NewGuid());
        var reply = await _model.NextReplyAsync();
        reply.Send("so far");
        turn.Cancel(MessageStatus.Stopped);
        var stopped = await generation;
        Assert.Equal((MessageStatus.Stopped, (string?)null), (stopped.Status, stopped.Metadata.ErrorCode));
        await reply.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));

        using var silent = new ActiveTurn(Guid.NewGuid(), 1000);
        var timedOut = await Generator(TimeSpan.FromMilliseconds(50)).GenerateAsync(silent, [], Guid.NewGuid());
        Assert.Equal((MessageStatus.Failed, ErrorCodes.ModelTimeout), (timedOut.Status, timedOut.Metadata.ErrorCode));
    }

    [Fact]
    public async Task A_reply_longer_than_the_cap_is_cut_there_and_the_rest_of_the_stream_ignored()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 5);
        var generation = Generator().GenerateAsync(turn, [], Guid.NewGuid());
        var reply = await _model.NextReplyAsync();
        reply.Send("abcdefgh");

        var outcome = await generation;
        Assert.Equal("abcde", turn.Text);
        Assert.Equal(MessageStatus.Complete, outcome.Status);

        // The model's usage chunk never came: the 8 characters it sent are charged, not the 5 kept.
        Assert.Equal((0L, 2L, (bool?)true), (outcome.Metadata.InputTokens, outcome.Metadata.OutputTokens, outcome.Metadata.UsageEstimated));
    }

    private ReplyGenerator Generator(TimeSpan? timeout = null) =>
        new(_model, new ChatModelOptions { Provider = ChatModelProvider.Offline, Timeout = timeout ?? TimeSpan.FromSeconds(30) }, NullLogger.Instance);
}
