using System.Text;

namespace Copilot.Tests.Api.V1;

/// <summary>Reads server-sent events from a response body as they arrive, as a browser's parser does.</summary>
public sealed class SseReader(Stream stream) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next event, or null at the end of the stream.</summary>
    public async Task<SseEvent?> NextAsync()
    {
        string? id = null;
        var data = new StringBuilder();
        var any = false;
        while (true)
        {
            var line = await _reader.ReadLineAsync().WaitAsync(Timeout);
            if (line is null)
            {
                return any ? new SseEvent(id, data.ToString()) : null;
            }

            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseEvent(id, data.ToString());
                }

                continue;
            }

            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(any ? "\n" : "").Append(line[6..]);
                any = true;
            }
        }
    }

    /// <summary>Events up to and including the first that matches <paramref name="last"/>.</summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> last)
    {
        var events = new List<SseEvent>();
        while (await NextAsync() is { } e)
        {
            events.Add(e);
            if (last(e))
            {
                return events;
            }
        }

        Assert.Fail($"The stream ended before the awaited event; it had: {string.Join(", ", events.Select(e => e.Type))}");
        return events;
    }

    /// <summary>Every remaining event.</summary>
    public async Task<List<SseEvent>> ReadToEndAsync()
    {
        var events = new List<SseEvent>();
        while (await NextAsync() is { } e)
        {
            events.Add(e);
        }

        return events;
    }

    public void Dispose() => _reader.Dispose();
}
