using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Copilot.Grains.Sessions.Storage;

/// <summary>Where a session's messages are: sealed pages (by the sequence number each starts at) and the unsealed tail
/// (a legacy open page from the header, then the live segments), which it holds in memory.</summary>
/// <remarks>Changes only after the storage write they describe succeeded, so it never needs rolling back.</remarks>
internal sealed class MessageHistory(int pageMaxMessages, int pageMaxBytes)
{
    /// <summary>Room kept in a page row for what is not a message (session id, page number).</summary>
    public const int PageOverheadBytes = 256;

    /// <summary>Page rows read at once when the whole history is read.</summary>
    public const int PagesReadTogether = 8;

    /// <summary>Most messages one <see cref="TakePageAsync"/> returns.</summary>
    public const int MaxPageSize = 1000;

    private readonly List<long> _pageStarts = [];
    private readonly List<SessionMessage> _tail = [];

    /// <summary>Messages in the session; also the next sequence number.</summary>
    public long Count { get; private set; }

    /// <summary>Sealed pages; page numbers run from 0 to this minus one.</summary>
    public int PageCount => _pageStarts.Count;

    /// <summary>The first sequence number of each sealed page, by page number.</summary>
    public IReadOnlyList<long> PageStarts => _pageStarts;

    /// <summary>The unsealed messages, oldest first.</summary>
    public IReadOnlyList<SessionMessage> Tail => _tail;

    /// <summary>Stored bytes of the tail's messages.</summary>
    public int TailBytes { get; private set; }

    /// <summary>The first segment not folded into a page.</summary>
    public long FirstOpenSegment { get; private set; }

    /// <summary>The number the next segment gets.</summary>
    public long NextSegment { get; private set; }

    /// <summary>Starts from a stored header; the segments stored after its checkpoint follow through <see cref="Append"/>.</summary>
    public void Load(SessionState header)
    {
        _pageStarts.Clear();
        _pageStarts.AddRange(header.SealedPageStarts);
        _tail.Clear();
        TailBytes = 0;
        Count = header.MessageCount;
        FirstOpenSegment = NextSegment = header.FirstOpenSegment;
        AddToTail(header.Messages);
    }

    /// <summary>Records a stored segment.</summary>
    public void Append(SessionSegment segment)
    {
        AddToTail(segment.Messages);
        NextSegment = segment.SegmentNumber + 1;
    }

    /// <summary>Whether the tail must be sealed before <paramref name="messages"/> join it.</summary>
    public bool WouldOverflow(IReadOnlyList<SessionMessage> messages) =>
        _tail.Count > 0 &&
        (_tail.Count + messages.Count > pageMaxMessages ||
         PageOverheadBytes + TailBytes + messages.Sum(MeasureBytes) > pageMaxBytes);

    /// <summary>The tail as the next sealed page.</summary>
    public SessionPage NextPage(Guid sessionId) =>
        new() { SessionId = sessionId, PageNumber = PageCount, Messages = [.. _tail] };

    /// <summary>Records that <paramref name="page"/> is stored and the header counts it; returns the segments it folded.</summary>
    public IReadOnlyList<long> Sealed(SessionPage page)
    {
        var folded = new List<long>();
        for (var number = FirstOpenSegment; number < NextSegment; number++)
        {
            folded.Add(number);
        }

        _pageStarts.Add(page.Messages[0].Seq);
        _tail.Clear();
        TailBytes = 0;
        FirstOpenSegment = NextSegment;
        return folded;
    }

    /// <summary>Messages with a sequence number below <paramref name="beforeSeq"/>, newest first, reading sealed pages
    /// through <paramref name="readPage"/> as needed.</summary>
    /// <remarks>Works on a snapshot: a seal while it runs only adds pages past the snapshot, and pages never change.</remarks>
    public async IAsyncEnumerable<SessionMessage> NewestFirstAsync(
        long beforeSeq, Func<int, Task<SessionPage>> readPage, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var tail = _tail.ToArray();
        var starts = _pageStarts.ToArray();
        for (var i = tail.Length - 1; i >= 0; i--)
        {
            if (tail[i].Seq < beforeSeq)
            {
                yield return tail[i];
            }
        }

        var pageNumber = Array.BinarySearch(starts, Math.Max(0, beforeSeq - 1));
        pageNumber = pageNumber >= 0 ? pageNumber : ~pageNumber - 1;
        for (; pageNumber >= 0; pageNumber--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await readPage(pageNumber);
            for (var i = page.Messages.Count - 1; i >= 0; i--)
            {
                if (page.Messages[i].Seq < beforeSeq)
                {
                    yield return page.Messages[i];
                }
            }
        }
    }

    /// <summary>Up to <paramref name="limit"/> (clamped to 1..<see cref="MaxPageSize"/>) of <paramref name="newestFirst"/>,
    /// with the cursor for the next page: the sequence number of the oldest one returned.</summary>
    public static async Task<MessagePage> TakePageAsync(IAsyncEnumerable<SessionMessage> newestFirst, int limit)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var messages = new List<SessionMessage>(limit + 1);
        await foreach (var message in newestFirst)
        {
            messages.Add(message);
            if (messages.Count > limit)
            {
                break;
            }
        }

        var hasMore = messages.Count > limit;
        if (hasMore)
        {
            messages.RemoveAt(limit);
        }

        return new MessagePage { Messages = messages, NextBeforeSeq = hasMore ? messages[^1].Seq : null };
    }

    /// <summary>Every message, oldest first.</summary>
    public async Task<List<SessionMessage>> AllAsync(Func<int, Task<SessionPage>> readPage)
    {
        var pageCount = PageCount;
        var tail = _tail.ToArray();
        var all = new List<SessionMessage>(checked((int)Count));
        for (var first = 0; first < pageCount; first += PagesReadTogether)
        {
            var pages = await Task.WhenAll(
                Enumerable.Range(first, Math.Min(PagesReadTogether, pageCount - first)).Select(readPage));
            foreach (var page in pages)
            {
                all.AddRange(page.Messages);
            }
        }

        all.AddRange(tail);
        return all;
    }

    /// <summary>The message numbered <paramref name="seq"/>, or null when there is none.</summary>
    public async Task<SessionMessage?> FindAsync(long seq, Func<int, Task<SessionPage>> readPage)
    {
        if (seq < 0 || seq >= Count)
        {
            return null;
        }

        await foreach (var message in NewestFirstAsync(seq + 1, readPage))
        {
            return message.Seq == seq ? message : null;
        }

        return null;
    }

    /// <summary>The stored size of a message in a page or segment row.</summary>
    public static int MeasureBytes(SessionMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, CopilotStorage.JsonOptions).Length + 1;

    private void AddToTail(IEnumerable<SessionMessage> messages)
    {
        foreach (var message in messages)
        {
            if (_tail.Count > 0 && message.Seq <= _tail[^1].Seq)
            {
                continue;
            }

            _tail.Add(message);
            TailBytes += MeasureBytes(message);
            Count = Math.Max(Count, message.Seq + 1);
        }
    }
}
