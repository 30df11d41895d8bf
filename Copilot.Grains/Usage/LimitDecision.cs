namespace Copilot.Grains.Usage;

/// <summary>The answer of a limit: admitted, or refused for <see cref="Refusal"/> until <see cref="RetryAfter"/> has passed.</summary>
[GenerateSerializer, Immutable, Alias("copilot.limit-decision")]
public sealed record class LimitDecision
{
    /// <summary>Sends in the last minute over the send bucket (a wire error code).</summary>
    public const string SendsReason = ErrorCodes.RateLimited;

    /// <summary>All the user's stream slots are held by running turns.</summary>
    public const string StreamsReason = "concurrent_streams";

    /// <summary>Creates, renames and deletes over the write bucket.</summary>
    public const string WritesReason = "writes";

    /// <summary>Today's model-token quota is used up (a wire error code).</summary>
    public const string QuotaReason = ErrorCodes.QuotaExceeded;

    /// <summary>What a client refused for too many streams is told to wait: a reply usually ends within seconds.</summary>
    public static readonly TimeSpan StreamsRetryAfter = TimeSpan.FromSeconds(1);

    public static LimitDecision Admitted { get; } = new();

    /// <summary>Why the request is refused; null when it is admitted.</summary>
    [Id(0)] public string? Refusal { get; init; }

    [Id(1)] public TimeSpan RetryAfter { get; init; }

    public bool IsAdmitted => Refusal is null;

    public static LimitDecision Refused(string reason, TimeSpan retryAfter) => new() { Refusal = reason, RetryAfter = retryAfter };
}
