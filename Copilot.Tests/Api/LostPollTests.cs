using System.Diagnostics;
using System.Net;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.Apps;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Api;

public sealed class LostPollTests
{
    // The chaos run saw it once: right after a silo restarted, one poll for more of a reply got no answer, so the stream
    // waited for Orleans' 30-second response timeout and then broke off. A poll only reads, so it is asked again. The
    // first poll (offset 0) too: it used to wait out the timeout and answer 503 with the question stored, and the panel's
    // retry stored the question a second time.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_poll_that_gets_no_answer_is_asked_again_and_the_stream_completes(bool firstPoll)
    {
        var unanswered = new UnansweredPoll(firstPoll);
        await using var app = await CopilotAppFactory.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Copilot:ChatModel:OfflineChunkDelay"] = "00:00:00.050",

                // On one silo the reply would be read in place; polls are what a reader on another silo makes.
                ["Copilot:Api:ReadRepliesInPlace"] = "false",
            },
            configureServices: services => services.AddSingleton<IIncomingGrainCallFilter>(unanswered));
        var user = new CopilotClient(app.CreateClient(), Guid.NewGuid());

        try
        {
            var clock = Stopwatch.StartNew();
            var send = await user.SendAsync("how long does a ridge vent last?");
            clock.Stop();

            Assert.True(unanswered.Held.Task.IsCompleted, "no poll for more of the reply was held back");
            Assert.Equal(HttpStatusCode.OK, send.Status);
            var messages = await user.LoadMessagesAsync(send.SessionId);
            Assert.Equal(messages[1].GetProperty("content").GetString(), send.Reply);
            Assert.Single(await user.ListSessionsAsync());
            Assert.Equal(2, messages.Length);
            Assert.True(
                clock.Elapsed < TimeSpan.FromSeconds(25),
                $"the stream waited {clock.Elapsed} for the unanswered poll instead of asking again");
        }
        finally
        {
            unanswered.Release.TrySetResult();
        }
    }

    [Fact]
    public async Task A_reply_whose_reads_fail_past_the_outage_window_ends_cut_short_with_its_session_marker()
    {
        // Every read for more of the reply fails as an unreachable cluster does, longer than the 20 s a stream rides out:
        // the status is sent already, so the panel gets the end it knows (a cut-short note and the session's marker)
        // instead of a connection that breaks.
        var failing = new FailingPolls();
        await using var app = await CopilotAppFactory.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Copilot:ChatModel:OfflineChunkDelay"] = "00:00:00.050",
                ["Copilot:Api:ReadRepliesInPlace"] = "false",
            },
            configureServices: services => services.AddSingleton<IIncomingGrainCallFilter>(failing));
        var user = new CopilotClient(app.CreateClient(), Guid.NewGuid());

        var send = await user.SendAsync("how long does a ridge vent last?");

        Assert.Equal(HttpStatusCode.OK, send.Status);
        Assert.True(failing.Failed > 0);
        Assert.Contains("(The reply was cut short: unavailable.", send.Body, StringComparison.Ordinal);
        Assert.Equal(send.SessionIdHeader, send.MarkerSessionId);
        failing.Stop = true;
        var stored = await user.LoadMessagesAsync(send.SessionId);
        Assert.StartsWith(send.Reply[..send.Reply.IndexOf("\n\n(The reply was cut short", StringComparison.Ordinal)], stored[1].GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Fails every poll for more of a reply (an offset past 0) as an unreachable silo would, until stopped.</summary>
    private sealed class FailingPolls : IIncomingGrainCallFilter
    {
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public volatile bool Stop;

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (!Stop && context.InterfaceMethod?.Name == nameof(ISessionGrain.ReadReplyAsync) &&
                context.Request.GetArgument(2) is int offset && offset > 0)
            {
                Interlocked.Increment(ref _failed);
                throw new TimeoutException("The silo did not answer (injected by the test).");
            }

            return context.Invoke();
        }
    }

    /// <summary>Holds back the first poll of a reply (offset 0), or the first poll for more of it (an offset past 0),
    /// until released: a request that gets no answer.</summary>
    private sealed class UnansweredPoll(bool firstPoll) : IIncomingGrainCallFilter
    {
        private int _held;

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(ISessionGrain.ReadReplyAsync) &&
                context.Request.GetArgument(2) is int offset && (firstPoll ? offset == 0 : offset > 0) &&
                Interlocked.Exchange(ref _held, 1) == 0)
            {
                Held.TrySetResult();
                await Release.Task;
            }

            await context.Invoke();
        }
    }
}
