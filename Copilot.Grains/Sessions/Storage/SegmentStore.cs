using Orleans.Storage;

namespace Copilot.Grains.Sessions.Storage;

/// <summary>The segment rows of one session: each segment written once, read back at activation.</summary>
/// <remarks>
/// <para>A session created by this release reuses its rows (<see cref="SessionState.SegmentSlots"/> of them): segment
/// <c>n</c> is stored in row <c>n % slots</c>, over segment <c>n - slots</c>, which the tail's bound guarantees is
/// folded into a sealed page by then. So a turn updates two rows and a seal deletes none. A session of an earlier
/// release (slots 0) stores segment <c>n</c> in row <c>n</c> and deletes it once folded.</para>
/// <para>A row holding another segment number, a folded one, or messages older than the session's creation (an earlier
/// session with the same id, left behind by a failed delete) reads as missing and is overwritten.</para>
/// </remarks>
internal sealed class SegmentStore(IGrainStorage storage, Guid sessionId, Func<SessionState> header)
{
    /// <summary>Segment reads issued together while activating, and row deletes issued together.</summary>
    public const int ReadAhead = 4;

    /// <summary>The version of a row written once (Orleans' ETag): every segment of a session without slots has it.</summary>
    private const string WrittenOnce = "1";

    private readonly SessionRows<SessionSegment> _rows = new(storage, CopilotStorage.SessionSegmentStateName, sessionId);

    /// <summary>The stored version of each row this activation has read or written, by row number; a row not here is
    /// first written as an insert, and a conflict reads its version.</summary>
    private readonly Dictionary<long, string?> _versions = [];

    private int Slots => header().SegmentSlots;

    /// <summary>Whether a segment can be written with <paramref name="live"/> segments not yet folded, or the tail must be
    /// sealed first: with slots, the row it would take still holds a live segment.</summary>
    public bool HasRoomFor(long live) => Slots == 0 || live < Slots;

    /// <summary>Stores <paramref name="segment"/> and returns what is stored: a row already holding it is accepted when
    /// it holds the same messages (an earlier attempt of this very write whose answer was lost).</summary>
    /// <exception cref="InconsistentStateException">The row holds a different write of this segment number, or a
    /// segment that is not folded yet: another activation of the session is writing.</exception>
    public async Task<SessionSegment> WriteAsync(SessionSegment segment)
    {
        var row = RowOf(segment.SegmentNumber);
        var written = new GrainState<SessionSegment>(segment) { ETag = _versions.GetValueOrDefault(row) };
        try
        {
            await WriteRowAsync(row, written);
            return segment;
        }
        catch (InconsistentStateException)
        {
            var stored = await ReadRowAsync(row);
            if (stored.State is { } same && same.SegmentNumber == segment.SegmentNumber &&
                same.Messages.Select(m => m.Id).SequenceEqual(segment.Messages.Select(m => m.Id)))
            {
                return same;
            }

            if (!stored.RecordExists || stored.State is null || IsFree(stored.State))
            {
                written.ETag = stored.ETag;
                await WriteRowAsync(row, written);
                return segment;
            }

            throw;
        }
    }

    /// <summary>Reads segments <paramref name="first"/>, <paramref name="first"/> + 1, ... up to the first one not stored.</summary>
    public async Task<List<SessionSegment>> ReadFromAsync(long first)
    {
        var segments = new List<SessionSegment>();
        for (var next = first; ; next += ReadAhead)
        {
            var numbers = Enumerable.Range(0, ReadAhead).Select(i => next + i).ToList();
            var rows = await Task.WhenAll(numbers.Select(number => ReadRowAsync(RowOf(number))));
            for (var i = 0; i < rows.Length; i++)
            {
                if (!rows[i].RecordExists || rows[i].State is not { } segment || segment.SegmentNumber != numbers[i] || IsFree(segment))
                {
                    return segments;
                }

                segments.Add(segment);
            }
        }
    }

    /// <summary>The rows that may hold segments of a session whose segments run from <paramref name="firstOpen"/> up to
    /// <paramref name="nextSegment"/> (not included): what deleting the session deletes.</summary>
    public IEnumerable<long> RowsInUse(long firstOpen, long nextSegment) => Slots == 0
        ? Enumerable.Range(0, checked((int)(nextSegment - firstOpen))).Select(i => firstOpen + i)
        : Enumerable.Range(0, (int)Math.Min(nextSegment, Slots)).Select(i => (long)i);

    /// <summary>Deletes the given rows, whatever they hold, <see cref="ReadAhead"/> at a time; returns those that could
    /// not be deleted.</summary>
    /// <remarks>A session holds up to <see cref="SessionState.SegmentSlots"/> rows: deleting them all at once would take
    /// as many connections from the pool, and from PostgreSQL's <c>max_connections</c>, as there are rows.</remarks>
    public async Task<List<long>> DeleteRowsAsync(IEnumerable<long> rows)
    {
        var failed = new List<long>();
        foreach (var batch in rows.Distinct().Chunk(ReadAhead))
        {
            var deleted = await Task.WhenAll(batch.Select(TryDeleteRowAsync));
            failed.AddRange(batch.Where((_, i) => !deleted[i]));
        }

        return failed;
    }

    private long RowOf(long segmentNumber) => Slots == 0 ? segmentNumber : segmentNumber % Slots;

    /// <summary>Whether a stored segment may be overwritten: folded into a page, or left by an earlier session.</summary>
    private bool IsFree(SessionSegment stored) =>
        stored.SegmentNumber < header().FirstOpenSegment ||
        (stored.Messages.Count > 0 && stored.Messages[0].CreatedAt < header().CreatedAt);

    private async Task<GrainState<SessionSegment>> ReadRowAsync(long row)
    {
        var stored = await _rows.ReadAsync(row);
        _versions[row] = stored.RecordExists ? stored.ETag : null;
        return stored;
    }

    private async Task WriteRowAsync(long row, GrainState<SessionSegment> written)
    {
        try
        {
            await _rows.WriteAsync(row, written);
            _versions[row] = written.ETag;
        }
        catch
        {
            _versions.Remove(row);
            throw;
        }
    }

    /// <summary>Deletes a row at its stored version (read first when this activation does not know it); a row already
    /// gone counts as deleted.</summary>
    private async Task<bool> TryDeleteRowAsync(long row)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var version = _versions.TryGetValue(row, out var known)
                    ? known
                    : Slots == 0 && attempt == 0 ? WrittenOnce : (await ReadRowAsync(row)).ETag;
                if (version is null)
                {
                    return true;
                }

                await _rows.DeleteAsync(row, new GrainState<SessionSegment> { ETag = version, RecordExists = true });
                _versions[row] = null;
                return true;
            }
            catch (InconsistentStateException)
            {
                // Gone already, or stored at another version than the one tried: read it and try once more.
                _versions.Remove(row);
            }
            catch (Exception)
            {
                _versions.Remove(row);
                return false;
            }
        }

        return false;
    }
}
