using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Grains.Telemetry;
using Copilot.Grains.Usage;
using Microsoft.AspNetCore.Http;

namespace Copilot.Api.RateLimiting;

/// <summary>Refuses a send, before anything is read or stored, when the user has used up today's model-token quota
/// (<c>Copilot:RateLimits:DailyTokens</c>); the quota resets at midnight UTC.</summary>
internal sealed class DailyQuotaFilter(ModelUsage usage, TimeProvider time, CopilotMetrics metrics) : IEndpointFilter
{
    /// <summary>The reason recorded for a refusal.</summary>
    public const string Reason = "quota_exceeded";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.User.Identity?.IsAuthenticated == true
            && await usage.IsExhaustedAsync(context.HttpContext.User.GetUserId()))
        {
            metrics.RequestRejected(Reason);
            var now = time.GetUtcNow();
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            return new LimitRejectedResult(
                ApiErrors.QuotaExceeded("Today's model-token quota is used up; it resets at midnight UTC"), midnight - now);
        }

        return await next(context);
    }
}
