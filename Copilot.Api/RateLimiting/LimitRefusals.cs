using Copilot.Api.Errors;
using Copilot.Grains.Telemetry;
using Copilot.Grains.Usage;

namespace Copilot.Api.RateLimiting;

/// <summary>The answer to a refusal of the user's limits grain: a 429 with <c>Retry-After</c>, counted by reason.</summary>
internal static class LimitRefusals
{
    public static LimitRejectedResult Answer(LimitDecision decision, CopilotMetrics metrics)
    {
        var reason = decision.Refusal ?? throw new ArgumentException("The request was admitted.", nameof(decision));
        metrics.RequestRejected(reason);
        var fault = reason switch
        {
            LimitDecision.QuotaReason => ApiErrors.QuotaExceeded("Today's model-token quota is used up; it resets at midnight UTC"),
            LimitDecision.StreamsReason => ApiErrors.RateLimited("Too many replies are streaming for this user at once; wait for one to finish"),
            LimitDecision.WritesReason => ApiErrors.RateLimited(
                "Too many conversations created, renamed or deleted in the last minute; wait and retry"),
            _ => ApiErrors.RateLimited("Too many messages sent in the last minute; wait and retry"),
        };
        return new LimitRejectedResult(fault, decision.RetryAfter);
    }
}
