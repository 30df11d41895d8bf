using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Turns;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Sessions;

/// <summary>How a streamed reply's readers are answered while it gathers: what a model sent within the window comes in
/// one read, and the end of a reply is never held back by the window.</summary>
public sealed class ActiveTurnTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_read_gathering_text_answers_as_soon_as_the_reply_ends()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000);
        turn.Append("The flashing ");

        var read = turn.ReadAsync(0, Long, gather: Long);
        turn.Append("is lifted.");
        Assert.False(read.IsCompleted);
        turn.Finish(stored: null, MessageStatus.Complete, errorCode: null);

        var progress = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("The flashing is lifted.", true), (progress.Text, progress.Done));
    }

    [Fact]
    public async Task A_read_with_nothing_new_waits_for_text_and_then_gathers_until_the_window_ends()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000);

        var read = turn.ReadAsync(0, Long, gather: TimeSpan.FromMilliseconds(1));
        Assert.False(read.IsCompleted);
        turn.Append("Check the boots.");

        var progress = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("Check the boots.", false, 16), (progress.Text, progress.Done, progress.NextOffset));
    }

    [Fact]
    public async Task With_inline_wakes_the_chunk_a_reader_is_due_for_runs_that_reader_on_the_model_thread()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000, wakeReadersInline: true);
        var read = WithoutContext(() => turn.ReadAsync(0, Long));
        var woken = read.ContinueWith(_ => Environment.CurrentManagedThreadId, TaskContinuationOptions.ExecuteSynchronously);
        Assert.False(read.IsCompleted);

        var model = OnOwnThread(() => turn.Append("Check the boots."));

        Assert.Equal(model, await woken.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("Check the boots.", (await read).Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_end_of_a_reply_wakes_its_readers_on_a_pool_worker_never_on_the_thread_that_ends_it(bool inline)
    {
        // The end is recorded on the grain's scheduler: a reader run there would run inside the grain.
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000, wakeReadersInline: inline);
        turn.Append("The flashing ");
        Assert.Equal("The flashing ", (await turn.ReadAsync(0, Long)).Text);
        var read = WithoutContext(() => turn.ReadAsync(13, Long));
        var woken = read.ContinueWith(
            _ => (Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread), TaskContinuationOptions.ExecuteSynchronously);
        Assert.False(read.IsCompleted);

        var grain = OnOwnThread(() => turn.Finish(stored: null, MessageStatus.Complete, errorCode: null));

        var (thread, pooled) = await woken.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(grain, thread);
        Assert.True(pooled);
        Assert.True((await read).Done);
    }

    [Fact]
    public async Task Without_a_window_a_read_answers_with_what_there_is_at_once()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000);
        turn.Append("Ridge vents");

        var progress = await turn.ReadAsync(6, Long);

        Assert.Equal(("vents", false), (progress.Text, progress.Done));
    }

    [Fact]
    public async Task Text_appended_on_another_thread_while_readers_read_arrives_whole_and_in_order()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 100_000);
        var chunks = Enumerable.Range(0, 5_000).Select(i => $"{i:D4}|").ToList();

        var model = Task.Run(() =>
        {
            foreach (var chunk in chunks)
            {
                turn.Append(chunk);
            }
        });
        var received = new System.Text.StringBuilder();
        var offset = 0;
        while (!model.IsCompleted || offset < chunks.Count * 5)
        {
            var progress = await turn.ReadAsync(offset, TimeSpan.FromMilliseconds(5));
            Assert.Equal(offset + progress.Text.Length, progress.NextOffset);
            received.Append(progress.Text);
            offset = progress.NextOffset;
        }

        await model;
        Assert.Equal(string.Concat(chunks), received.ToString());
        Assert.Equal(string.Concat(chunks), turn.Text);
    }

    [Fact]
    public async Task The_window_runs_from_the_last_answer_not_from_when_the_reader_asked()
    {
        var clock = new FakeTimeProvider();
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000, clock: clock);
        await turn.ReadAsync(0, TimeSpan.Zero);
        turn.Append("Step ");
        clock.Advance(TimeSpan.FromMilliseconds(30));
        turn.Append("flashing ");

        var read = turn.ReadAsync(0, Long, gather: TimeSpan.FromMilliseconds(50));
        clock.Advance(TimeSpan.FromMilliseconds(20));
        turn.Append("is ");

        // 50 ms after the last answer (and "Step " arrived), 20 after the read: the chunk that ends the window answers.
        var progress = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("Step flashing is ", false), (progress.Text, progress.Done));
    }

    [Fact]
    public async Task While_the_model_streams_the_reads_are_a_window_apart()
    {
        var clock = new FakeTimeProvider();
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000, clock: clock);
        var window = TimeSpan.FromMilliseconds(50);
        var chunks = Enumerable.Range(1, 12).Select(i => $"{i * 20};").ToList();
        var answers = new List<string>();
        var offset = 0;
        await turn.ReadAsync(0, TimeSpan.Zero);

        var read = turn.ReadAsync(offset, Long, window);
        foreach (var chunk in chunks)
        {
            clock.Advance(TimeSpan.FromMilliseconds(20));
            turn.Append(chunk);
            if (answers.Count < 3 && chunk == ((answers.Count + 1) * 60) + ";")
            {
                var progress = await read.WaitAsync(TimeSpan.FromSeconds(30));
                answers.Add(progress.Text);
                read = turn.ReadAsync(offset = progress.NextOffset, Long, window);
            }
        }

        // Chunks every 20 ms: each read is answered by the first chunk 50 ms or more after the answer before it, so the
        // client gets a write every 60 ms; timed from the first chunk after an answer, it would be every 80 ms.
        Assert.Equal(["20;40;60;", "80;100;120;", "140;160;180;"], answers);
    }

    [Fact]
    public async Task A_gathering_reader_is_answered_by_the_models_first_chunk_after_the_window()
    {
        var clock = new FakeTimeProvider();
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000, clock: clock);
        turn.Append("Tear-off ");
        await turn.ReadAsync(0, Long);

        var read = turn.ReadAsync(9, Long, gather: TimeSpan.FromMilliseconds(50));
        foreach (var chunk in new[] { "starts ", "at ", "the ", "ridge." })
        {
            turn.Append(chunk);
            clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        // Chunks at 0, 20, 40 and 60 ms: the one at 60 is the first after the window, so the read has all four.
        var progress = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("starts at the ridge.", 29), (progress.Text, progress.NextOffset));
    }

    [Fact]
    public async Task Text_the_model_sends_nothing_after_is_answered_after_twice_the_window()
    {
        var clock = new FakeTimeProvider();
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000, clock: clock);
        var window = TimeSpan.FromMilliseconds(50);

        turn.Append("Waiting on the supplier.");
        var first = await turn.ReadAsync(0, Long);

        // The reader has everything; one more chunk comes, then nothing: without the hold limit armed by that chunk the
        // read would wait for the poll's whole wait (here ten minutes).
        var stalled = turn.ReadAsync(first.NextOffset, Long, gather: window);
        turn.Append(" Call them.");
        clock.Advance(window);
        Assert.False(stalled.IsCompleted);
        clock.Advance(window * (ActiveTurn.HoldFactor - 1));
        Assert.Equal(" Call them.", (await stalled.WaitAsync(TimeSpan.FromSeconds(30))).Text);
    }

    [Fact]
    public async Task A_reader_behind_the_last_read_gets_what_there_is_at_once()
    {
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000);
        turn.Append("Kickout ");
        await turn.ReadAsync(0, Long);
        turn.Append("flashing");

        var progress = await turn.ReadAsync(3, Long, gather: Long).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("kout flashing", progress.Text);
    }

    /// <summary>Starts <paramref name="start"/> with no synchronization context, as a request of the API runs: its
    /// continuations run wherever what they wait for completes.</summary>
    private static Task<T> WithoutContext<T>(Func<Task<T>> start)
    {
        var saved = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return start();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(saved);
        }
    }

    /// <summary>Runs <paramref name="action"/> on a thread of its own (never a pool worker); returns that thread's id.</summary>
    private static int OnOwnThread(Action action)
    {
        var id = 0;
        var thread = new Thread(() =>
        {
            id = Environment.CurrentManagedThreadId;
            action();
        });
        thread.Start();
        thread.Join();
        return id;
    }
}
