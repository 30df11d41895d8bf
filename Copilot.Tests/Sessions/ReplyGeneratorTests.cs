using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Turns;
using Copilot.Tests.Fixtures;
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
    }

    private ReplyGenerator Generator(TimeSpan? timeout = null) =>
        new(_model, new ChatModelOptions { Provider = ChatModelProvider.Offline, Timeout = timeout ?? TimeSpan.FromSeconds(30) }, NullLogger.Instance);
}
