namespace Copilot.Silo.ChatModel;

/// <summary>Reads a streamed response at most once per <paramref name="interval"/> while it trickles in, so the model's
/// token-sized events that arrive within it are read together: one read and one wake for several events, where each
/// event arriving alone would wake a thread of its own.</summary>
/// <remarks>Reads wait only once <see cref="StartPacing"/> is called (after the model's first text, so that text is
/// not held back), and then only when the read before drained what had arrived (it returned less than asked for): a
/// response arriving faster than it is read is read without waiting. No read waits longer than
/// <paramref name="interval"/>.</remarks>
/// <param name="inner">The response body.</param>
/// <param name="interval">The shortest time between two reads of a trickling response.</param>
/// <param name="clock">Times the interval.</param>
internal sealed class PacedReadStream(Stream inner, TimeSpan interval, TimeProvider clock) : Stream
{
    private long _lastReadAt;
    private bool _drained;
    private bool _pacing;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>From now on, reads of a trickling response are at least the interval apart.</summary>
    public void StartPacing() => _pacing = true;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pacing && _drained && interval - clock.GetElapsedTime(_lastReadAt) is var wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken);
        }

        var read = await inner.ReadAsync(buffer, cancellationToken);
        _lastReadAt = clock.GetTimestamp();
        _drained = read < buffer.Length;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
