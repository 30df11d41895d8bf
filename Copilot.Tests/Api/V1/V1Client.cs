using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api.V1;

/// <summary>Talks to <c>/v1</c> as one user, the way the AI SDK's <c>DefaultChatTransport</c> and a chat list do.</summary>
public sealed class V1Client(HttpClient http, Guid userId)
{
    public Guid UserId { get; } = userId;

    /// <summary>The underlying client (no auth header set on it).</summary>
    public HttpClient Http { get; } = http;

    /// <summary>The transport's default body: the chat's messages, the last one the user's new message.</summary>
    public static object Body(Guid chatId, string messageId, string text, string? persona = null) => new
    {
        id = chatId,
        messages = new[] { new { id = messageId, role = "user", parts = new[] { new { type = "text", text } } } },
        trigger = "submit-message",
        persona,
    };

    /// <summary>Posts a chat body and returns the response as soon as its headers arrive.</summary>
    public Task<HttpResponseMessage> PostChatAsync(object body)
    {
        var request = NewRequest(HttpMethod.Post, "/v1/chat");
        request.Content = JsonContent.Create(body);
        return Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>Sends a message and reads the whole stream; fails the test unless it is a 200 stream.</summary>
    public async Task<List<SseEvent>> SendAsync(Guid chatId, string messageId, string text, string? persona = null)
    {
        using var response = await PostChatAsync(Body(chatId, messageId, text, persona));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        return await reader.ReadToEndAsync();
    }

    /// <summary>Opens <c>GET /v1/chat/{id}/stream</c>, optionally after <paramref name="lastEventId"/>.</summary>
    public Task<HttpResponseMessage> ResumeAsync(Guid chatId, string? lastEventId = null)
    {
        var request = NewRequest(HttpMethod.Get, $"/v1/chat/{chatId}/stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>Any call with this user's token and an optional JSON body (a string is sent as is).</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> CallAsync(
        HttpMethod method, string path, object? body = null)
    {
        using var request = NewRequest(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? JsonDocument.Parse("{}").RootElement : JsonDocument.Parse(text).RootElement;
        return (response.StatusCode, json, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A GET that must succeed.</summary>
    public async Task<JsonElement> GetOkAsync(string path)
    {
        var (status, body, _) = await CallAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    /// <summary>The messages of a session, oldest first, as (role, text, status).</summary>
    public async Task<List<(string Role, string Text, string Status)>> HistoryAsync(Guid chatId)
    {
        var page = await GetOkAsync($"/v1/sessions/{chatId}/messages?limit=100");
        return [.. page.GetProperty("data").EnumerateArray().Reverse().Select(m => (
            m.GetProperty("role").GetString()!,
            string.Concat(m.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("text").GetString())),
            m.GetProperty("metadata").GetProperty("status").GetString()!))];
    }

    /// <summary>A request carrying this user's bearer token.</summary>
    public HttpRequestMessage NewRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(UserId));
        return request;
    }

    /// <summary>The reply text a stream carried.</summary>
    public static string Text(IEnumerable<SseEvent> events) =>
        string.Concat(events.Where(e => !e.IsDone && e.Type == "text-delta").Select(e => e.Json.GetProperty("delta").GetString()));

    /// <summary>Asserts a problem response: its status, content type and code.</summary>
    public static void AssertProblem(
        (HttpStatusCode Status, JsonElement Body, string? ContentType) answer, HttpStatusCode status, string code)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal((int)status, answer.Body.GetProperty("status").GetInt32());
        Assert.Equal(code, answer.Body.GetProperty("code").GetString());
    }

    /// <summary>Reads a problem response.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement, response.Content.Headers.ContentType?.MediaType);
    }
}
