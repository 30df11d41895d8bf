using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Copilot.Testing.Auth;
using Copilot.Testing.Http;

namespace Copilot.Chaos.Workload;

/// <summary>The seed-compatible HTTP API as the chat panel uses it, with a client timeout on every answer.</summary>
internal sealed partial class CopilotHttp(JwtMinter tokens, TimeSpan timeout) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Sends <paramref name="send"/> to <paramref name="silo"/> and reads the whole answer; for a
    /// <see cref="SendKind.Abandon"/> send, only the reply's first chunk before the client leaves.</summary>
    public async Task<Send> SendAsync(Send send, Uri silo)
    {
        using var cancel = new CancellationTokenSource(timeout);
        int? status = null;
        Guid? answered = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(silo, "/api/copilot"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For(send.UserId));
            request.Content = JsonContent.Create(new { message = send.Message, sessionId = send.SessionId, role = "field" });
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            status = (int)response.StatusCode;
            answered = response.Headers.TryGetValues("X-Session-Id", out var values) && Guid.TryParse(values.FirstOrDefault(), out var id)
                ? id
                : null;
            if (response.StatusCode == HttpStatusCode.OK && send.Kind == SendKind.Abandon)
            {
                // Disposing the unread response closes the connection: the client is gone while the reply runs on.
                var buffer = new byte[4096];
                var read = await (await response.Content.ReadAsStreamAsync(cancel.Token)).ReadAsync(buffer, cancel.Token);
                var seen = Encoding.UTF8.GetString(buffer, 0, read);

                // A reply that was whole before the client read it is an ordinary acknowledged one.
                if (!Ending().IsMatch(seen))
                {
                    return send with
                    {
                        EndedAt = DateTime.UtcNow,
                        Outcome = SendOutcome.Abandoned,
                        Status = 200,
                        AnsweredSessionId = answered,
                        Reply = seen,
                    };
                }

                return Answered(send, answered, seen);
            }

            var body = await response.Content.ReadAsStringAsync(cancel.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return send with
                {
                    EndedAt = DateTime.UtcNow,
                    Outcome = SendOutcome.Refused,
                    Status = (int)response.StatusCode,
                    Code = ProblemField(body, "code"),
                    Detail = ProblemField(body, "detail"),
                    AnsweredSessionId = answered,
                    Error = body.Length > 300 ? body[..300] : body,
                };
            }

            return Answered(send, answered, body);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return send with { EndedAt = DateTime.UtcNow, Outcome = SendOutcome.Hang, Error = $"no answer within {timeout.TotalSeconds:0} s" };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException)
        {
            // Before the status line: no answer at all; after it: an answer whose body broke off.
            return send with
            {
                EndedAt = DateTime.UtcNow,
                Outcome = status is null ? SendOutcome.NoAnswer : SendOutcome.BrokenStream,
                Status = status,
                AnsweredSessionId = answered,
                Error = ex.Message,
            };
        }
    }

    /// <summary>A session's messages, or null when it is not found (404); throws on any other failure.</summary>
    public async Task<JsonElement[]?> MessagesAsync(Guid userId, Guid sessionId, Uri silo)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(silo, $"/api/copilot?sessionId={sessionId}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For(userId));
        using var response = await _http.SendAsync(request, cancel.Token);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel.Token));
        return [.. document.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.Clone())];
    }

    /// <summary>An anonymous <c>POST /api/admin/users/deleted</c> with <paramref name="body"/>, sent only until the
    /// answer arrives (<see cref="UnreadBody"/>): its status and error code, or null and what went wrong.</summary>
    public async Task<(int? Status, string? Code, string? Error)> PostAnonymousAdminAsync(Uri silo, byte[] body)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var answer = await UnreadBody.SendAsync(
                silo, "POST", "/api/admin/users/deleted", [new("Content-Type", "application/json")], body, cancel.Token);
            return (answer.Status, answer.Code, null);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return (null, null, $"no answer within {timeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return (null, null, ex.Message);
        }
    }

    public void Dispose() => _http.Dispose();

    private static Send Answered(Send send, Guid? answered, string body)
    {
        var ending = Ending().Match(body);
        return send with
        {
            EndedAt = DateTime.UtcNow,
            Outcome = ending.Success && answered == Guid.Parse(ending.Groups["session"].Value)
                ? SendOutcome.Acknowledged
                : SendOutcome.BrokenStream,
            Status = 200,
            AnsweredSessionId = answered,
            Reply = ending.Success ? body[..ending.Index] : body,
            CutShort = ending.Groups["code"].Success ? ending.Groups["code"].Value : null,
        };
    }

    /// <summary>A string member of a JSON error answer (its <c>code</c>, its <c>detail</c>), or null.</summary>
    private static string? ProblemField(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(name, out var value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The stream's end: an optional "(The reply was cut short: code.)" note, then the session marker.
    [GeneratedRegex(@"(?:\n\n\(The reply was cut short: (?<code>[a-z_]+)\.\))?\n\n\[SESSION_ID:(?<session>[0-9a-f-]{36})\]$")]
    private static partial Regex Ending();
}
