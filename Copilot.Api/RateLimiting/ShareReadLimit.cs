using System.Globalization;
using System.Threading.RateLimiting;
using Copilot.Api.Errors;
using Copilot.Grains.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Copilot.Api.RateLimiting;

/// <summary>Anonymous reads of shared conversations, limited per client address by ASP.NET Core's rate limiter: there is
/// no user to hold a limit for, and a guessing client is slowed on every silo it reaches (each counts alone).</summary>
internal static class ShareReadLimit
{
    /// <summary>The rate-limiting policy of <c>GET /v1/shares/{token}</c>.</summary>
    public const string PolicyName = "share-reads";

    /// <summary>The rate-limiting policy of <c>GET /v1/shares/{token}/files/{fileId}</c>: a budget of its own, since a
    /// shared page reads each of its images.</summary>
    public const string FilesPolicyName = "share-file-reads";

    /// <summary>The reason the metrics give for a refused share read.</summary>
    public const string RejectionReason = "share_reads";

    public static IServiceCollection AddCopilotShareReadLimit(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(PolicyName, context => PerAddress(context, context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.ShareReadsPerMinute));
            limiter.AddPolicy(FilesPolicyName, context => PerAddress(context, context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.ShareFileReadsPerMinute));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                http.Response.Headers[HeaderNames.RetryAfter] =
                    Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                http.RequestServices.GetService<CopilotMetrics>()?.RequestRejected(RejectionReason);
                await ApiErrors.RateLimited("Too many reads of shared conversations from this address; retry later").WriteAsync(http);
            };
        });

    private static RateLimitPartition<string> PerAddress(HttpContext context, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
}
