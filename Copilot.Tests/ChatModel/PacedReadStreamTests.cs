using System.IO.Pipelines;
using System.Text;
using Copilot.Silo.ChatModel;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.ChatModel;

public sealed class PacedReadStreamTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(40);

    [Fact]
    public async Task A_trickling_response_is_read_once_per_interval_and_what_arrived_meanwhile_comes_in_one_read()
    {
        var clock = new FakeTimeProvider();
        var body = new Pipe();
        await using var paced = new PacedReadStream(body.Reader.AsStream(), Interval, clock);
        var buffer = new byte[1024];

        await body.Writer.WriteAsync(Encoding.UTF8.GetBytes("role"));
        Assert.Equal("role", await ReadAsync(paced, buffer));
        await body.Writer.WriteAsync(Encoding.UTF8.GetBytes("first"));
        var first = ReadAsync(paced, buffer);
        Assert.True(first.IsCompleted, "a read before the first text waited");
        Assert.Equal("first", await first);
        paced.StartPacing();

        await body.Writer.WriteAsync(Encoding.UTF8.GetBytes("sec"));
        var next = ReadAsync(paced, buffer);
        await body.Writer.WriteAsync(Encoding.UTF8.GetBytes("ond"));
        clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(next.IsCompleted, "the read did not wait for the interval");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("second", await next);
    }

    [Fact]
    public async Task A_response_arriving_faster_than_it_is_read_is_read_without_waiting()
    {
        var clock = new FakeTimeProvider();
        var body = new Pipe();
        await using var paced = new PacedReadStream(body.Reader.AsStream(), Interval, clock);
        paced.StartPacing();
        var buffer = new byte[4];

        await body.Writer.WriteAsync(Encoding.UTF8.GetBytes("abcdefgh"));
        Assert.Equal("abcd", await ReadAsync(paced, buffer));
        var next = ReadAsync(paced, buffer);

        Assert.True(next.IsCompleted, "a read waited although more had arrived than the last read took");
        Assert.Equal("efgh", await next);
    }

    [Fact]
    public async Task The_end_of_the_response_reads_as_zero_bytes()
    {
        var clock = new FakeTimeProvider();
        var body = new Pipe();
        await using var paced = new PacedReadStream(body.Reader.AsStream(), Interval, clock);
        paced.StartPacing();
        var buffer = new byte[16];

        await body.Writer.WriteAsync(Encoding.UTF8.GetBytes("last"));
        await body.Writer.CompleteAsync();
        Assert.Equal("last", await ReadAsync(paced, buffer));
        var end = ReadAsync(paced, buffer);
        clock.Advance(Interval);

        Assert.Equal("", await end);
    }

    private static async Task<string> ReadAsync(Stream stream, byte[] buffer) =>
        Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer));
}
