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
    public async Task The_window_runs_from_when_the_text_arrived_not_from_when_the_reader_asked()
    {
        var clock = new FakeTimeProvider();
        using var turn = new ActiveTurn(Guid.NewGuid(), maxChars: 1000, clock);
        turn.Append("Step ");
        clock.Advance(TimeSpan.FromMilliseconds(30));
        turn.Append("flashing ");

        var read = turn.ReadAsync(0, Long, gather: TimeSpan.FromMilliseconds(50));
        clock.Advance(TimeSpan.FromMilliseconds(19));
        Assert.False(read.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var progress = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("Step flashing ", false), (progress.Text, progress.Done));
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
}
