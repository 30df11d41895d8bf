using System.Threading.RateLimiting;
using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Grains.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Copilot.Api.RateLimiting;

/// <summary>The send limits as an ASP.NET Core rate-limiter policy, partitioned by the authenticated user.</summary>
internal sealed class SendLimitPolicy(IOptions<RateLimitOptions> options, TimeProvider time, CopilotMetrics metrics) : IRateLimiterPolicy<Guid>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<Guid> GetPartition(HttpContext httpContext)
    {
        // Authorization runs first, so an anonymous request never gets here on a route that requires a user.
        if (httpContext.User.Identity?.IsAuthenticated != true)
        {
            return RateLimitPartition.GetNoLimiter(Guid.Empty);
        }

        var limits = options.Value;
        return RateLimitPartition.Get(
            httpContext.User.GetUserId(),
            _ => new UserSendLimiter(limits.SendsPerMinute, limits.ConcurrentStreams, time));
    }

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var reason = context.Lease.TryGetMetadata(MetadataName.ReasonPhrase, out var phrase) ? phrase! : UserSendLimiter.SendsReason;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : UserSendLimiter.StreamsRetryAfter;
        metrics.RequestRejected(reason);
        var message = reason == UserSendLimiter.StreamsReason
            ? "Too many replies are streaming for this user at once; wait for one to finish"
            : "Too many messages sent in the last minute; wait and retry";
        await new LimitRejectedResult(ApiErrors.RateLimited(message), retryAfter).ExecuteAsync(context.HttpContext);
    }
}
