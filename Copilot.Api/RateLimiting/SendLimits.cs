using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Api.RateLimiting;

/// <summary>Per-user limits on sends (sends per minute, running turns, the daily token quota) and on session writes
/// (renames, deletes), held by the user's <see cref="Grains.Usage.IUserLimitsGrain"/> for the whole cluster.</summary>
internal static class SendLimits
{
    /// <summary>Registers the filters that ask the user's limits grain.</summary>
    public static IServiceCollection AddCopilotSendLimits(this IServiceCollection services)
    {
        services.AddSingleton<SendLimitFilter>();
        services.AddSingleton<WriteLimitFilter>();
        return services;
    }

    /// <summary>Puts a send route (or a group of them) under the per-user send limits; a refusal is a 429 with
    /// <c>Retry-After</c> in <paramref name="format"/>.</summary>
    public static TBuilder RequireCopilotSendLimits<TBuilder>(this TBuilder builder, LimitRejectionFormat format = LimitRejectionFormat.Seed)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new SendLimitsMetadata(format));
        builder.AddEndpointFilter<TBuilder, SendLimitFilter>();
        return builder;
    }

    /// <summary>Puts a rename or delete route under the per-user write limit; a refusal is a 429 with <c>Retry-After</c>
    /// in <paramref name="format"/>.</summary>
    public static TBuilder RequireCopilotWriteLimits<TBuilder>(this TBuilder builder, LimitRejectionFormat format = LimitRejectionFormat.ProblemDetails)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new SendLimitsMetadata(format));
        builder.AddEndpointFilter<TBuilder, WriteLimitFilter>();
        return builder;
    }
}
