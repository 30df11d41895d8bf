using System.ComponentModel.DataAnnotations;

namespace Copilot.Grains.ChatModel;

/// <summary>The chat model, bound from <c>Copilot:ChatModel</c>.</summary>
public sealed class ChatModelOptions
{
    public const string SectionName = "Copilot:ChatModel";

    /// <summary>Which provider answers. Default: <see cref="ChatModelProvider.OpenAI"/> when <see cref="ApiKey"/> is set, else offline.</summary>
    public ChatModelProvider? Provider { get; set; }

    /// <summary>The model name sent to the provider. Required for OpenAI; the offline responder reports <c>offline</c>.</summary>
    public string? Model { get; set; }

    /// <summary>Base URL of an OpenAI-compatible server (e.g. <c>http://127.0.0.1:8000/v1</c>); null for OpenAI itself.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The API key. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sampling temperature; null leaves the provider's default.</summary>
    [Range(0.0, 2.0)]
    public float? Temperature { get; set; } = 0.7f;

    /// <summary>Most tokens in one reply. Default 1,024.</summary>
    [Range(1, 1_000_000)]
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>How long to wait for the model's first chunk (and between chunks) before failing the turn. Default 60 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of a failed request (429, 5xx, network) before the turn fails. Default 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The longest wait before a retry: a provider answering 429 or 503 with a <c>Retry-After</c> longer than
    /// this fails the turn at once (<c>model_rate_limited</c>, <c>model_unavailable</c>) instead of keeping the user
    /// waiting for a first word. Default 10 s.</summary>
    public TimeSpan MaxRetryWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether a model chunk's path runs on the thread that read it: the OpenAI provider's connections finish
    /// their reads on the runtime's socket thread instead of handing each to a thread-pool worker, and a chunk that a
    /// waiting reader of the reply is due for runs that reader there too, instead of waking a worker for it. Default
    /// true: a thread wake saved per model chunk, and one per write.</summary>
    public bool InlineStreamReads { get; set; } = true;

    /// <summary>Delay between the offline responder's chunks, to look like a real stream. Default 40 ms; 0 for benchmarks.</summary>
    public TimeSpan OfflineChunkDelay { get; set; } = TimeSpan.FromMilliseconds(40);

    /// <summary>The provider in force once defaults are applied.</summary>
    public ChatModelProvider EffectiveProvider =>
        Provider ?? (string.IsNullOrWhiteSpace(ApiKey) ? ChatModelProvider.Offline : ChatModelProvider.OpenAI);

    /// <summary>The model name in force once defaults are applied.</summary>
    public string EffectiveModel => EffectiveProvider == ChatModelProvider.Offline ? Model ?? "offline" : Model ?? "";
}
