using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Api.RateLimiting;

/// <summary>Per-user limits on sending messages: sends per minute, concurrent streams and the daily token quota.</summary>
internal static class SendLimits
{
    public const string PolicyName = "copilot-sends";

    /// <summary>Binds <c>Copilot:RateLimits</c> and registers the policy. <c>UseRateLimiter</c> must follow
    /// <c>UseAuthorization</c>, since limits are per user.</summary>
    public static IServiceCollection AddCopilotSendLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DailyQuotaFilter>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy<Guid, SendLimitPolicy>(PolicyName);
        });
        return services;
    }

    /// <summary>Puts a send route (or a group of them) under the per-user limits; a refusal is a 429 with
    /// <c>Retry-After</c> in <paramref name="format"/>.</summary>
    public static TBuilder RequireCopilotSendLimits<TBuilder>(this TBuilder builder, LimitRejectionFormat format = LimitRejectionFormat.Seed)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireRateLimiting(PolicyName);
        builder.WithMetadata(new SendLimitsMetadata(format));
        builder.AddEndpointFilter<TBuilder, DailyQuotaFilter>();
        return builder;
    }
}
