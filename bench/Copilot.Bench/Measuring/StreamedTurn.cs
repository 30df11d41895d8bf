using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Copilot.Bench.Measuring;

/// <summary>What the client saw of one streamed reply: when its first text came, the longest wait between two reads
/// after that, and the text itself.</summary>
internal sealed record class StreamedTurn(double FirstTextMilliseconds, double LongestPauseMilliseconds, string Text, Guid SessionId);

/// <summary>Sends one turn and reads its reply as it streams, timing each read: <c>POST /api/copilot</c> (the service's
/// or the seed's, plain text ending with <c>[SESSION_ID:…]</c>) or <c>POST /v1/chat</c> (server-sent events).</summary>
internal static class StreamedTurns
{
    /// <summary>A turn on the plain-text route: the text as it comes, then the session marker.</summary>
    /// <exception cref="InvalidOperationException">Anything but a complete reply.</exception>
    public static async Task<StreamedTurn> PlainAsync(
        HttpClient http, string token, Guid? sessionId, string message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/copilot")
        {
            Content = JsonContent.Create(new { message, sessionId, role = "field" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var (body, first, pause) = await ReadTimedAsync(http, request, static chunk => chunk.Length > 0, cancellationToken);
        var marker = body.LastIndexOf("\n\n[SESSION_ID:", StringComparison.Ordinal);
        if (marker < 0 || !Guid.TryParse(body.AsSpan(marker + 14, 36), out var id))
        {
            throw new InvalidOperationException($"The reply did not end with its session marker: ...{body[Math.Max(0, body.Length - 120)..]}");
        }

        return new StreamedTurn(first, pause, body[..marker], id);
    }

    /// <summary>A turn on <c>/v1/chat</c> in the compact form; the text is the concatenated deltas.</summary>
    /// <exception cref="InvalidOperationException">Anything but a complete reply.</exception>
    public static async Task<StreamedTurn> UiStreamAsync(
        HttpClient http, string token, Guid chatId, string message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat")
        {
            Content = JsonContent.Create(new
            {
                id = chatId,
                message = new { id = Guid.NewGuid().ToString("N"), role = "user", parts = new[] { new { type = "text", text = message } } },
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var (body, first, pause) = await ReadTimedAsync(
            http, request, static chunk => chunk.Contains("\"text-delta\"", StringComparison.Ordinal), cancellationToken);
        if (!body.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The stream did not end with [DONE]: ...{body[Math.Max(0, body.Length - 200)..]}");
        }

        var text = new StringBuilder();
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"text-delta\"", StringComparison.Ordinal))
            {
                using var json = JsonDocument.Parse(line.AsMemory(6));
                text.Append(json.RootElement.GetProperty("delta").GetString());
            }
        }

        return new StreamedTurn(first, pause, text.ToString(), chatId);
    }

    private static async Task<(string Body, double FirstText, double LongestPause)> ReadTimedAsync(
        HttpClient http, HttpRequestMessage request, Func<string, bool> hasText, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var body = new StringBuilder();
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[16 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        long? firstText = null;
        var last = 0L;
        var longestPause = 0L;
        int read;
        while ((read = await stream.ReadAsync(bytes, cancellationToken)) > 0)
        {
            var now = Stopwatch.GetTimestamp();
            var count = decoder.GetChars(bytes, 0, read, chars, 0);
            var chunk = new string(chars, 0, count);
            body.Append(chunk);
            if (firstText is null)
            {
                if (hasText(chunk))
                {
                    firstText = now;
                }
            }
            else
            {
                longestPause = Math.Max(longestPause, now - last);
            }

            last = now;
        }

        if (response.StatusCode != HttpStatusCode.OK || firstText is null)
        {
            throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode} without text: {body.ToString()[..Math.Min(body.Length, 200)]}");
        }

        return (body.ToString(), Milliseconds(firstText.Value - start), Milliseconds(longestPause));
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
