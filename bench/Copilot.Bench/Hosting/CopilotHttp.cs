using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Copilot.Bench.Hosting;

/// <summary>The HTTP API as clients use it: the seed-compatible turn (a POST whose streamed reply is read to the end),
/// and on <c>/v1</c> a chat turn with file parts and an image upload.</summary>
internal sealed class CopilotHttp(ServiceTarget target)
{
    private static readonly Uri Endpoint = new("/api/copilot", UriKind.Relative);

    /// <summary>One full turn: sends <paramref name="message"/> (to a new session when <paramref name="sessionId"/> is
    /// null) and reads the whole reply; returns the session id.</summary>
    /// <exception cref="InvalidOperationException">The service answered anything but a complete streamed reply.</exception>
    public async Task<Guid> TurnAsync(Guid userId, Guid? sessionId, string message, CancellationToken cancellationToken = default) =>
        (await TurnWithReplyAsync(userId, sessionId, message, cancellationToken)).SessionId;

    /// <summary>One full turn, as <see cref="TurnAsync"/>; returns the session id and the reply's text.</summary>
    /// <exception cref="InvalidOperationException">The service answered anything but a complete streamed reply.</exception>
    public async Task<(Guid SessionId, string Reply)> TurnWithReplyAsync(
        Guid userId, Guid? sessionId, string message, CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Post, Endpoint, userId);
        request.Content = JsonContent.Create(new TurnBody(message, sessionId, "field"));
        using var response = await target.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"POST /api/copilot answered {(int)response.StatusCode}: {Shorten(body)}");
        }

        if (!response.Headers.TryGetValues("X-Session-Id", out var values) || !Guid.TryParse(values.FirstOrDefault(), out var id))
        {
            throw new InvalidOperationException("POST /api/copilot answered without an X-Session-Id header.");
        }

        var marker = $"\n\n[SESSION_ID:{id}]";
        if (!body.EndsWith(marker, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The reply did not end with its session marker: {Shorten(body)}");
        }

        return (id, body[..^marker.Length]);
    }

    /// <summary>A <c>POST /v1/chat</c> turn in a new chat (the compact body) whose message carries <paramref name="fileUrls"/>
    /// as file parts (data URLs or upload links), its UI message stream read to the end.</summary>
    /// <exception cref="InvalidOperationException">The service answered anything but a complete stream.</exception>
    public async Task ChatV1Async(Guid userId, string text, IReadOnlyList<(string MediaType, string Url)> fileUrls, CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Post, new Uri("/v1/chat", UriKind.Relative), userId);
        request.Content = JsonContent.Create(new
        {
            id = Guid.NewGuid(),
            message = new
            {
                id = Guid.NewGuid().ToString(),
                role = "user",
                parts = (object[])[new { type = "text", text }, .. fileUrls.Select(f => new { type = "file", mediaType = f.MediaType, url = f.Url })],
            },
        });
        using var response = await target.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK || !body.TrimEnd().EndsWith("data: [DONE]", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"POST /v1/chat answered {(int)response.StatusCode}: {Shorten(body)}");
        }
    }

    /// <summary><c>POST /v1/files</c> with the raw bytes; returns the stored file's signed link.</summary>
    /// <exception cref="InvalidOperationException">The service answered anything but 201.</exception>
    public async Task<string> UploadAsync(Guid userId, byte[] bytes, string mediaType, CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Post, new Uri("/v1/files", UriKind.Relative), userId);
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await target.Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /v1/files answered {(int)response.StatusCode}: {Shorten(body)}");
        }

        using var answer = JsonDocument.Parse(body);
        return answer.RootElement.GetProperty("url").GetString()!;
    }

    /// <summary><c>GET /api/copilot?sessionId=</c>: every message of a session; returns the body's length in bytes.</summary>
    public Task<long> LoadHistoryAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken = default) =>
        GetAsync(userId, new Uri($"/api/copilot?sessionId={sessionId}", UriKind.Relative), cancellationToken);

    /// <summary><c>GET /api/copilot</c>: the user's recent sessions; returns the body's length in bytes.</summary>
    public Task<long> ListSessionsAsync(Guid userId, CancellationToken cancellationToken = default) =>
        GetAsync(userId, Endpoint, cancellationToken);

    private async Task<long> GetAsync(Guid userId, Uri path, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, path, userId);
        using var response = await target.Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.OK
            ? body.LongLength
            : throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}.");
    }

    private HttpRequestMessage NewRequest(HttpMethod method, Uri path, Guid userId)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.TokenFor(userId));
        return request;
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";

    private sealed record class TurnBody(string Message, Guid? SessionId, string Role);
}
