namespace Copilot.Tests.Fixtures.ChatModels;

/// <summary>How <see cref="FakeOpenAIServer"/> answers one chat-completions request: a streamed completion, a stream
/// that breaks, or an HTTP error.</summary>
public sealed class FakeOpenAIReply
{
    /// <summary>Longest a paused stream waits for <see cref="Release"/>, so a failing test ends instead of hanging.</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeOpenAIReply()
    {
    }

    internal enum StreamEnd
    {
        /// <summary>A chunk with <c>finish_reason: "stop"</c>, the usage chunk when asked for, then <c>[DONE]</c>.</summary>
        Stop,

        /// <summary>The connection is reset without an ending.</summary>
        Disconnect,

        /// <summary>An <c>error</c> event, as OpenAI sends when a stream fails on its side, then the body ends.</summary>
        ErrorEvent,

        /// <summary>An event whose data is not JSON, then the normal ending: a client that skipped it would finish.</summary>
        InvalidJson,
    }

    /// <summary>The HTTP status; 200 for a stream.</summary>
    public int Status { get; private init; } = 200;

    /// <summary>The reply's text, one <c>delta.content</c> per chunk.</summary>
    public IReadOnlyList<string> Chunks { get; private init; } = [];

    /// <summary>The model the chunks report; null echoes the requested one.</summary>
    public string? Model { get; private init; }

    /// <summary>The usage reported when the request asks for it (<c>stream_options.include_usage</c>).</summary>
    public int PromptTokens { get; private init; }

    /// <summary>The usage reported when the request asks for it (<c>stream_options.include_usage</c>).</summary>
    public int CompletionTokens { get; private init; }

    /// <summary>The stream stops after this many chunks until <see cref="Release"/> is called; null never pauses.</summary>
    public int? PauseAfter { get; private init; }

    internal StreamEnd End { get; private init; } = StreamEnd.Stop;

    internal string? RetryAfter { get; private init; }

    internal string ErrorType { get; private init; } = "";

    internal string ErrorMessage { get; private init; } = "";

    internal Task Released => _release.Task;

    /// <summary>A completion streamed as <paramref name="chunks"/>, ending normally.</summary>
    public static FakeOpenAIReply Stream(
        IReadOnlyList<string> chunks, string? model = null, int promptTokens = 11, int completionTokens = 5, int? pauseAfter = null) =>
        new()
        {
            Chunks = chunks,
            Model = model,
            PromptTokens = promptTokens,
            CompletionTokens = completionTokens,
            PauseAfter = pauseAfter,
        };

    /// <summary>Streams <paramref name="chunks"/>, waits for <see cref="Release"/>, then resets the connection.</summary>
    /// <remarks>The pause lets the test see the chunks arrive first: a reset may discard data the client has not read.</remarks>
    public static FakeOpenAIReply StreamThenDisconnect(IReadOnlyList<string> chunks) =>
        new() { Chunks = chunks, PauseAfter = chunks.Count, End = StreamEnd.Disconnect };

    /// <summary>Streams <paramref name="chunks"/>, waits for <see cref="Release"/>, then sends an OpenAI error event.</summary>
    public static FakeOpenAIReply StreamThenError(IReadOnlyList<string> chunks) =>
        new()
        {
            Chunks = chunks,
            PauseAfter = chunks.Count,
            End = StreamEnd.ErrorEvent,
            ErrorType = "server_error",
            ErrorMessage = "The server had an error while processing your request.",
        };

    /// <summary>Streams <paramref name="chunks"/>, then an event cut off in the middle of its JSON, then ends normally.</summary>
    public static FakeOpenAIReply StreamThenInvalidJson(IReadOnlyList<string> chunks) =>
        new() { Chunks = chunks, End = StreamEnd.InvalidJson };

    /// <summary>HTTP <paramref name="status"/> with OpenAI's error body of <paramref name="type"/>.</summary>
    public static FakeOpenAIReply Error(int status, string type, string message) => new()
    {
        Status = status,
        ErrorType = type,
        ErrorMessage = message,
    };

    /// <summary>HTTP 429 with <c>Retry-After: <paramref name="retryAfter"/></c> (seconds) and OpenAI's rate-limit error
    /// body.</summary>
    public static FakeOpenAIReply RateLimited(string retryAfter = "0") => new()
    {
        Status = 429,
        RetryAfter = retryAfter,
        ErrorType = "rate_limit_exceeded",
        ErrorMessage = "Rate limit reached for requests.",
    };

    /// <summary>HTTP 500 with OpenAI's server-error body.</summary>
    public static FakeOpenAIReply ServerError() => new()
    {
        Status = 500,
        ErrorType = "server_error",
        ErrorMessage = "The server had an error while processing your request.",
    };

    /// <summary>Lets a paused stream go on.</summary>
    public void Release() => _release.TrySetResult();
}
