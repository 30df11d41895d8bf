using Copilot.Grains.Storage;
using Orleans.Storage;

namespace Copilot.Grains.Sessions;

/// <summary>The segment rows of one session: inserted once, read back at activation, deleted once folded into a page.</summary>
/// <remarks>A row whose messages are older than the session's creation belongs to an earlier session with the same id
/// (left behind by a failed delete): it reads as missing and is overwritten.</remarks>
internal sealed class SegmentStore(IGrainStorage storage, Guid sessionId)
{
    /// <summary>Segment reads issued together while activating.</summary>
    public const int ReadAhead = 4;

    /// <summary>The version of a row written once (Orleans' ETag): every segment has it.</summary>
    private const string WrittenOnce = "1";

    private readonly SessionRows<SessionSegment> _rows = new(storage, CopilotStorage.SessionSegmentStateName, sessionId);

    /// <summary>Inserts <paramref name="segment"/> and returns what is stored: a row already there is accepted when it
    /// holds the same messages (an earlier attempt of this very write whose answer was lost).</summary>
    /// <exception cref="InconsistentStateException">The number holds a different write of this session.</exception>
    public async Task<SessionSegment> InsertAsync(SessionSegment segment, DateTimeOffset sessionCreatedAt)
    {
        var row = new GrainState<SessionSegment>(segment);
        try
        {
            await _rows.WriteAsync(segment.SegmentNumber, row);
            return segment;
        }
        catch (InconsistentStateException)
        {
            var stored = await _rows.ReadAsync(segment.SegmentNumber);
            if (stored.State is { } existing && IsStale(existing, sessionCreatedAt))
            {
                row.ETag = stored.ETag;
                await _rows.WriteAsync(segment.SegmentNumber, row);
                return segment;
            }

            if (stored.State is { } same && same.Messages.Select(m => m.Id).SequenceEqual(segment.Messages.Select(m => m.Id)))
            {
                return same;
            }

            throw;
        }
    }

    /// <summary>Reads segments <paramref name="first"/>, <paramref name="first"/> + 1, ... up to the first missing one.</summary>
    public async Task<List<SessionSegment>> ReadFromAsync(long first, DateTimeOffset sessionCreatedAt)
    {
        var segments = new List<SessionSegment>();
        for (var next = first; ; next += ReadAhead)
        {
            var rows = await Task.WhenAll(Enumerable.Range(0, ReadAhead).Select(i => _rows.ReadAsync(next + i)));
            foreach (var row in rows)
            {
                if (!row.RecordExists || row.State is not { } segment || IsStale(segment, sessionCreatedAt))
                {
                    return segments;
                }

                segments.Add(segment);
            }
        }
    }

    /// <summary>Deletes the given segments; returns the numbers that could not be deleted.</summary>
    public async Task<List<long>> DeleteAsync(IEnumerable<long> numbers)
    {
        var failed = new List<long>();
        await Task.WhenAll(numbers.Select(async number =>
        {
            try
            {
                await _rows.DeleteAsync(number, new GrainState<SessionSegment> { ETag = WrittenOnce, RecordExists = true });
            }
            catch (InconsistentStateException)
            {
                // Already gone.
            }
            catch (Exception)
            {
                failed.Add(number);
            }
        }));
        return failed;
    }

    private static bool IsStale(SessionSegment segment, DateTimeOffset sessionCreatedAt) =>
        segment.Messages.Count > 0 && segment.Messages[0].CreatedAt < sessionCreatedAt;
}
