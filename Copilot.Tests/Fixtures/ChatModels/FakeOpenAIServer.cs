using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Copilot.Tests.Fixtures.ChatModels;

/// <summary>An OpenAI-compatible chat-completions server on 127.0.0.1 that records every request and answers from
/// per-test scripts, so the real OpenAI client can be tested without the network.</summary>
/// <remarks>
/// A script is keyed by a token the test puts in its user messages: a request is answered by the next reply queued
/// for the token its last user message contains, so tests sharing one server in parallel never take each other's
/// replies. A request with nothing queued gets <see cref="DefaultReply"/>, a normal streamed completion.
/// </remarks>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    /// <summary>The path the OpenAI client calls under <see cref="Endpoint"/>.</summary>
    public const string CompletionsPath = "/v1/chat/completions";

    private const string ContentPlaceholder = "@@content@@";

    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeOpenAIReply>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeOpenAIRequest> _requests = new();
    private WebApplication _app = null!;

    private FakeOpenAIServer()
    {
    }

    /// <summary>The base URL to configure as the OpenAI endpoint: <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Starts a server on a free port of 127.0.0.1.</summary>
    public static async Task<FakeOpenAIServer> StartAsync()
    {
        var server = new FakeOpenAIServer();
        (server._app, var address) = await LoopbackServer.StartAsync(server.HandleAsync);
        server.Endpoint = new Uri(address, "v1");
        return server;
    }

    /// <summary>The API key <see cref="ServiceSettings"/> gives the service.</summary>
    public const string ServiceApiKey = "sk-fake-server-test-key";

    /// <summary>The service's settings for calling this server through its OpenAI provider, with no retries, plus
    /// <paramref name="more"/>.</summary>
    public Dictionary<string, string?> ServiceSettings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Copilot:ChatModel:Provider"] = "OpenAI",
            ["Copilot:ChatModel:Endpoint"] = Endpoint.ToString(),
            ["Copilot:ChatModel:ApiKey"] = ServiceApiKey,
            ["Copilot:ChatModel:Model"] = "some-test-model",
            ["Copilot:ChatModel:MaxRetries"] = "0",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The reply's text when nothing is queued: predictable, so tests can expect it in later history.</summary>
    public static string DefaultReply(string userContent) => "Reply to: " + userContent;

    /// <summary>Queues replies for the next requests whose last user message contains <paramref name="token"/>.</summary>
    public void Enqueue(string token, params FakeOpenAIReply[] replies)
    {
        var queue = _scripts.GetOrAdd(token, _ => new ConcurrentQueue<FakeOpenAIReply>());
        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }
    }

    /// <summary>Every request whose last user message contains <paramref name="token"/>, in arrival order.</summary>
    public IReadOnlyList<FakeOpenAIRequest> RequestsFor(string token) =>
        _requests.Where(r => r.LastUserContent.Contains(token, StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = default(JsonElement);
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            body = document.RootElement.Clone();
        }

        var request = new FakeOpenAIRequest(
            context.Request.Method, context.Request.Path.Value ?? "", context.Request.Headers.Authorization.FirstOrDefault(), body);
        _requests.Enqueue(request);
        if (request.Method != HttpMethods.Post || request.Path != CompletionsPath)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, "invalid_request_error", "Unknown path " + request.Path);
            return;
        }

        var reply = NextReply(request.LastUserContent)
            ?? FakeOpenAIReply.Stream(["Reply to: ", request.LastUserContent]);
        if (reply.Status != StatusCodes.Status200OK)
        {
            if (reply.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            await WriteErrorAsync(context, reply.Status, reply.ErrorType, reply.ErrorMessage);
            return;
        }

        await StreamAsync(context, request, reply);
    }

    private FakeOpenAIReply? NextReply(string userContent)
    {
        foreach (var (token, queue) in _scripts)
        {
            if (userContent.Contains(token, StringComparison.Ordinal) && queue.TryDequeue(out var reply))
            {
                return reply;
            }
        }

        return null;
    }

    private static async Task StreamAsync(HttpContext context, FakeOpenAIRequest request, FakeOpenAIReply reply)
    {
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";

        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = reply.Model ?? request.Body.GetProperty("model").GetString();
        JsonObject Chunk(JsonArray choices) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = choices,
        };
        JsonArray Choice(JsonObject delta, string? finishReason) =>
        [
            new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason },
        ];

        for (var i = 0; i < reply.Chunks.Count; i++)
        {
            if (i == reply.PauseAfter)
            {
                await reply.Released.WaitAsync(FakeOpenAIReply.MaxPause, context.RequestAborted);
            }

            var delta = i == 0
                ? new JsonObject { ["role"] = "assistant", ["content"] = ContentPlaceholder }
                : new JsonObject { ["content"] = ContentPlaceholder };
            var json = Chunk(Choice(delta, null)).ToJsonString();
            await WriteEventAsync(context, json.Replace($"\"{ContentPlaceholder}\"", JsonLiteral(reply.Chunks[i]), StringComparison.Ordinal));
        }

        if (reply.PauseAfter == reply.Chunks.Count)
        {
            await reply.Released.WaitAsync(FakeOpenAIReply.MaxPause, context.RequestAborted);
        }

        switch (reply.End)
        {
            case FakeOpenAIReply.StreamEnd.Disconnect:
                context.Abort();
                return;
            case FakeOpenAIReply.StreamEnd.ErrorEvent:
                await WriteEventAsync(context, ErrorBody(reply.ErrorType, reply.ErrorMessage).ToJsonString());
                return;
            case FakeOpenAIReply.StreamEnd.InvalidJson:
                var whole = Chunk(Choice(new JsonObject { ["content"] = "never shown" }, null)).ToJsonString();
                await WriteEventAsync(context, whole[..(whole.Length / 2)]);
                break;
        }

        await WriteEventAsync(context, Chunk(Choice([], "stop")).ToJsonString());
        if (AsksForUsage(request.Body))
        {
            // As OpenAI does: usage comes in one more chunk, with no choices, after the finish reason.
            var usage = Chunk([]);
            usage["usage"] = new JsonObject
            {
                ["prompt_tokens"] = reply.PromptTokens,
                ["completion_tokens"] = reply.CompletionTokens,
                ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens,
            };
            await WriteEventAsync(context, usage.ToJsonString());
        }

        await WriteEventAsync(context, "[DONE]");
    }

    // Every UTF-16 unit escaped on its own, so a chunk can carry what a JSON writer would repair: U+0000, a lone
    // surrogate, half of a surrogate pair.
    private static string JsonLiteral(string text) =>
        "\"" + string.Concat(text.Select(c => c is >= ' ' and < (char)0x7F and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}")) + "\"";

    private static bool AsksForUsage(JsonElement body) =>
        body.TryGetProperty("stream_options", out var options) &&
        options.ValueKind == JsonValueKind.Object &&
        options.TryGetProperty("include_usage", out var include) &&
        include.ValueKind == JsonValueKind.True;

    private static async Task WriteEventAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync("data: " + data + "\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ErrorBody(type, message).ToJsonString(), context.RequestAborted);
    }

    private static JsonObject ErrorBody(string type, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = null,
            ["code"] = type,
        },
    };
}
