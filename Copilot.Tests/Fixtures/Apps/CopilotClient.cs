using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Copilot.Testing.Polling;

namespace Copilot.Tests.Fixtures.Apps;

/// <summary>Talks to the seed-compatible API as one user, the way the chat panel does.</summary>
public sealed partial class CopilotClient(HttpClient http, Guid userId)
{
    public Guid UserId { get; } = userId;

    /// <summary>The underlying client (no auth header set on it).</summary>
    public HttpClient Http { get; } = http;

    /// <summary>Sends a message and reads the whole streamed answer.</summary>
    public async Task<SendResult> SendAsync(string message, Guid? sessionId = null, string? role = "field")
    {
        using var request = NewRequest(HttpMethod.Post, "/api/copilot");
        request.Content = JsonContent.Create(new { message, sessionId, role });
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();
        return SendResult.From(response, body);
    }

    /// <summary>Sends as <see cref="SendAsync"/> does, again while the answer is 503 (as a client retries one) until it
    /// is not or <paramref name="deadline"/> has passed; a silo process that has just started may answer 503 while it
    /// loads its share of the reminder table. A 503 stores nothing, so the retry sends the message once.</summary>
    public async Task<SendResult> SendWhenAvailableAsync(string message, TimeSpan deadline, Guid? sessionId = null)
    {
        SendResult? result = null;
        await Poll.UntilAsync(
            async () => (result = await SendAsync(message, sessionId)).Status != HttpStatusCode.ServiceUnavailable,
            deadline,
            TimeSpan.FromMilliseconds(250));
        return result!;
    }

    /// <summary>Posts a raw body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostRawAsync(string body, string contentType = "application/json")
    {
        using var request = NewRequest(HttpMethod.Post, "/api/copilot");
        request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    /// <summary><c>GET /api/copilot</c>: the recent sessions.</summary>
    public async Task<JsonElement[]> ListSessionsAsync()
    {
        var (status, body) = await GetAsync("/api/copilot");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("sessions").EnumerateArray()];
    }

    /// <summary><c>GET /api/copilot?sessionId=</c>: a session's messages.</summary>
    public async Task<JsonElement[]> LoadMessagesAsync(Guid sessionId)
    {
        var (status, body) = await GetAsync($"/api/copilot?sessionId={sessionId}");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("messages").EnumerateArray()];
    }

    /// <summary>A GET with this user's token.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var request = NewRequest(HttpMethod.Get, path);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    /// <summary>A request carrying this user's bearer token.</summary>
    public HttpRequestMessage NewRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(UserId));
        return request;
    }

    /// <summary>The JSON body of a response, or an empty object when there is none.</summary>
    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? JsonDocument.Parse("{}").RootElement : JsonDocument.Parse(text).RootElement;
    }

    /// <summary>The outcome of a send.</summary>
    public sealed record class SendResult(HttpStatusCode Status, string Body, string? ContentType, Guid? SessionIdHeader)
    {
        /// <summary>The reply text without the session marker.</summary>
        public string Reply => SessionMarker().Replace(Body, "").TrimEnd();

        /// <summary>The session id from the <c>[SESSION_ID:...]</c> marker at the end of the body.</summary>
        public Guid? MarkerSessionId => SessionMarker().Match(Body) is { Success: true } m ? Guid.Parse(m.Groups[1].Value) : null;

        /// <summary>The session the send went to, checked to agree between header and marker.</summary>
        public Guid SessionId
        {
            get
            {
                Assert.Equal(HttpStatusCode.OK, Status);
                Assert.NotNull(SessionIdHeader);
                Assert.Equal(SessionIdHeader, MarkerSessionId);
                return SessionIdHeader.Value;
            }
        }

        internal static SendResult From(HttpResponseMessage response, string body) => new(
            response.StatusCode,
            body,
            response.Content.Headers.ContentType?.ToString(),
            response.Headers.TryGetValues("X-Session-Id", out var values) ? Guid.Parse(values.Single()) : null);
    }

    [GeneratedRegex(@"\n\n\[SESSION_ID:([^\]]+)\]$")]
    private static partial Regex SessionMarker();
}
