using System.ClientModel.Primitives;
using System.Globalization;
using System.Net.Http.Headers;

namespace Copilot.Silo.ChatModel;

/// <summary>The OpenAI client's retries (<see cref="ClientRetryPolicy"/>: 429, 5xx and network failures, waiting as the
/// provider's <c>Retry-After</c> says), except that a provider asking to wait longer than <paramref name="longestWait"/>
/// is not retried: the turn fails at once with the provider's answer instead of holding the user's first word for the
/// wait, which the first chunk's timeout would cut short anyway.</summary>
internal sealed class ModelRetryPolicy(int maxRetries, TimeSpan longestWait) : ClientRetryPolicy(maxRetries)
{
    protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
        base.ShouldRetry(message, exception) && !AsksTooLong(message);

    protected override async ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
        await base.ShouldRetryAsync(message, exception) && !AsksTooLong(message);

    private bool AsksTooLong(PipelineMessage message) =>
        message.Response is { } response && AskedWait(response.Headers) is { } wait && wait > longestWait;

    /// <summary>The wait a response asks for: <c>retry-after-ms</c> (OpenAI's, in milliseconds), else <c>Retry-After</c>
    /// in seconds or as a date; null when it asks none.</summary>
    private static TimeSpan? AskedWait(PipelineResponseHeaders headers)
    {
        if (headers.TryGetValue("retry-after-ms", out var ms) &&
            double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (headers.TryGetValue("Retry-After", out var value) && RetryConditionHeaderValue.TryParse(value, out var parsed))
        {
            return parsed.Delta ?? parsed.Date - DateTimeOffset.UtcNow;
        }

        return null;
    }
}
