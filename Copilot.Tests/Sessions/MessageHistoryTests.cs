using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Storage;

namespace Copilot.Tests.Sessions;

public sealed class MessageHistoryTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<int, SessionPage> _pages = [];

    [Fact]
    public async Task Sealing_moves_the_tail_into_numbered_pages_and_every_read_still_sees_every_message_in_order()
    {
        var history = new MessageHistory(pageMaxMessages: 4, pageMaxBytes: 1024 * 1024);
        history.Load(new SessionState());
        for (var i = 0; i < 11; i++)
        {
            AppendOne(history, i);
        }

        Assert.Equal(11, history.Count);
        Assert.Equal(2, history.PageCount);
        Assert.Equal([0L, 4L], history.PageStarts);
        Assert.Equal([8L, 9L, 10L], history.Tail.Select(m => m.Seq));
        Assert.Equal(8, history.FirstOpenSegment);
        Assert.Equal(11, history.NextSegment);

        Assert.Equal(Enumerable.Range(0, 11).Select(i => (long)i), (await history.AllAsync(ReadPage)).Select(m => m.Seq));
        var newestFirst = new List<long>();
        await foreach (var message in history.NewestFirstAsync(long.MaxValue, ReadPage))
        {
            newestFirst.Add(message.Seq);
        }

        Assert.Equal(Enumerable.Range(0, 11).Reverse().Select(i => (long)i), newestFirst);
        var beforeSix = new List<long>();
        await foreach (var message in history.NewestFirstAsync(6, ReadPage))
        {
            beforeSix.Add(message.Seq);
        }

        Assert.Equal([5L, 4L, 3L, 2L, 1L, 0L], beforeSix);
        Assert.Equal("m5", (await history.FindAsync(5, ReadPage))!.Content);
        Assert.Equal("m10", (await history.FindAsync(10, ReadPage))!.Content);
        Assert.Null(await history.FindAsync(11, ReadPage));
        Assert.Null(await history.FindAsync(-1, ReadPage));
    }

    [Fact]
    public void The_byte_bound_seals_before_a_message_that_would_overflow_the_page()
    {
        var history = new MessageHistory(pageMaxMessages: 1000, pageMaxBytes: 2048);
        history.Load(new SessionState());
        var big = Message(0, new string('x', 1000));
        history.Append(new SessionSegment { SegmentNumber = 0, Messages = [big] });

        Assert.False(history.WouldOverflow([Message(1, "short")]));
        Assert.True(history.WouldOverflow([Message(1, new string('y', 1000))]));
    }

    [Fact]
    public async Task A_legacy_open_page_in_the_header_is_the_oldest_part_of_the_tail()
    {
        var header = new SessionState
        {
            MessageCount = 3,
            SealedPageCount = 1,
            SealedPageStarts = [0],
            Messages = [Message(1, "legacy 1"), Message(2, "legacy 2")],
        };
        _pages[0] = new SessionPage { PageNumber = 0, Messages = [Message(0, "sealed 0")] };
        var history = new MessageHistory(10, 1024 * 1024);
        history.Load(header);
        history.Append(new SessionSegment { SegmentNumber = 0, Messages = [Message(3, "segment 3")] });

        Assert.Equal(4, history.Count);
        Assert.Equal(["sealed 0", "legacy 1", "legacy 2", "segment 3"], (await history.AllAsync(ReadPage)).Select(m => m.Content));
        var page = history.NextPage(Guid.NewGuid());
        Assert.Equal([1L, 2L, 3L], page.Messages.Select(m => m.Seq));
        Assert.Equal(1, page.PageNumber);
        Assert.Equal([0L], history.Sealed(page));
        Assert.Empty(history.Tail);
        Assert.Equal(1, history.FirstOpenSegment);
    }

    private void AppendOne(MessageHistory history, int seq)
    {
        var message = Message(seq, $"m{seq}");
        if (history.WouldOverflow([message]))
        {
            var page = history.NextPage(Guid.Empty);
            _pages[page.PageNumber] = page;
            history.Sealed(page);
        }

        history.Append(new SessionSegment { SegmentNumber = history.NextSegment, Messages = [message] });
    }

    private Task<SessionPage> ReadPage(int pageNumber) => Task.FromResult(_pages[pageNumber]);

    private static SessionMessage Message(long seq, string content) => new()
    {
        Id = Guid.NewGuid(),
        Seq = seq,
        Role = seq % 2 == 0 ? MessageRole.User : MessageRole.Assistant,
        Content = content,
        CreatedAt = At.AddSeconds(seq),
    };
}
