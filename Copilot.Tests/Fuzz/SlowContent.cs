using System.Net;

namespace Copilot.Tests.Fuzz;

/// <summary>A body sent a few bytes at a time with a pause between writes, as a slow or stalling client sends it.</summary>
public sealed class SlowContent(byte[] body) : HttpContent
{
    /// <summary>Bytes per write.</summary>
    public const int Step = 8;

    /// <summary>Pause between writes.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(40);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var at = 0; at < body.Length; at += Step)
        {
            await stream.WriteAsync(body.AsMemory(at, Math.Min(Step, body.Length - at)));
            await stream.FlushAsync();
            await Task.Delay(Pause);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}
