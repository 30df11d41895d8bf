namespace Copilot.Grains.Usage;

/// <summary>The user created, renamed or deleted sessions faster than <see cref="UserLimitsOptions.WritesPerMinute"/>.</summary>
[GenerateSerializer, Alias("copilot.write-limit")]
public sealed class WriteLimitException : Exception
{
    public WriteLimitException()
        : base("Too many session writes in the last minute.")
    {
    }

    public WriteLimitException(TimeSpan retryAfter)
        : this() => RetryAfter = retryAfter;

    public WriteLimitException(string message)
        : base(message)
    {
    }

    public WriteLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>When a retry can succeed.</summary>
    [Id(0)] public TimeSpan RetryAfter { get; init; }
}
